package main

import (
	"bytes"
	"log/slog"
	"runtime/debug"
	"strings"
	"testing"

	"anken/internal/config"
)

func TestSetMemoryLimit(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	tests := []struct {
		name    string
		m       config.MemoryLimit
		env     map[string]string
		want    int64 // the runtime's limit afterwards
		logSays string
	}{
		{"a size", config.MemoryLimit{Bytes: 3 << 30}, nil, 3 << 30, "memory limit set"},
		{"GOMEMLIMIT wins", config.MemoryLimit{Bytes: 3 << 30}, map[string]string{"GOMEMLIMIT": "2GiB"}, prev, "GOMEMLIMIT"},
		{"off", config.MemoryLimit{Off: true}, nil, prev, "no memory limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(prev)
			var buf bytes.Buffer
			setMemoryLimit(tt.m, func(k string) string { return tt.env[k] }, slog.New(slog.NewTextHandler(&buf, nil)))
			if got := debug.SetMemoryLimit(-1); got != tt.want {
				t.Errorf("limit = %d, want %d", got, tt.want)
			}
			if !strings.Contains(buf.String(), tt.logSays) {
				t.Errorf("log %q does not say %q", buf.String(), tt.logSays)
			}
		})
	}
	// The default is within 5 GiB and within the memory the machine has.
	debug.SetMemoryLimit(prev)
	setMemoryLimit(config.DefaultMemoryLimit, func(string) string { return "" }, slog.New(slog.DiscardHandler))
	got := debug.SetMemoryLimit(-1)
	if got <= 0 || got > 5<<30 || (processMemory() > 0 && got > processMemory()) {
		t.Errorf("default limit = %d, memory %d", got, processMemory())
	}
}
