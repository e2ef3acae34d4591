package main

import (
	"bufio"
	"bytes"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"anken/internal/config"
)

// setMemoryLimit gives the Go runtime the process's soft memory limit from
// ANKEN_MEMORY_LIMIT, so that a node stays within its budget on default
// settings: the collector works harder as the heap nears the limit instead
// of letting garbage grow the process. A GOMEMLIMIT in the environment is
// the operator's choice and is left as the runtime read it.
func setMemoryLimit(m config.MemoryLimit, getenv func(string) string, log *slog.Logger) {
	if v := getenv("GOMEMLIMIT"); v != "" {
		log.Info("memory limit from GOMEMLIMIT", slog.String("gomemlimit", v))
		return
	}
	avail := processMemory()
	n, ok := m.Of(avail)
	if !ok {
		log.Info("no memory limit", slog.String("setting", m.String()), slog.Int64("memory_bytes", avail))
		return
	}
	debug.SetMemoryLimit(n)
	log.Info("memory limit set", slog.Int64("limit_bytes", n), slog.String("setting", m.String()),
		slog.Int64("memory_bytes", avail))
}

// processMemory returns the memory this process may use: the smaller of its
// cgroup's limit (v2, else v1) and the machine's memory; 0 when neither can
// be read.
func processMemory() int64 {
	n := memTotal()
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		// "max" (v2) or a huge number (v1) mean no limit.
		v, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
		if err == nil && v > 0 && v < 1<<50 && (n == 0 || v < n) {
			n = v
		}
		break
	}
	return n
}

// memTotal returns MemTotal from /proc/meminfo in bytes, or 0.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}
