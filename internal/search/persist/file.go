package persist

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// File is a snapshot written to a temporary file beside its path and not
// yet in place: Commit puts it there, Abort drops it.
type File struct {
	f          *os.File
	tmp, path  string
	info       Info
	size       int64
	committed  bool
	commitOnce sync.Once
}

// Begin writes a snapshot to a temporary file beside path with write,
// which returns the header it wrote. When ctx ends, the write fails. The
// caller must Commit or Abort the file; Commit (syncing it to disk) no
// longer calls write.
func Begin(ctx context.Context, path string, write func(io.Writer) (Info, error)) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("search: write snapshot: %w", err)
	}
	w := &File{f: f, tmp: f.Name(), path: path}
	if w.info, err = write(ctxWriter{ctx, f}); err == nil {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil {
			w.size = st.Size()
		}
	}
	if err != nil {
		w.Abort()
		return nil, fmt.Errorf("search: write snapshot %s: %w", path, err)
	}
	return w, nil
}

// Commit syncs the snapshot to disk and renames it into place, so that
// its path holds the old snapshot or the new one, never part of one. It
// returns the header written and the file's size.
func (w *File) Commit() (Info, int64, error) {
	err := errors.New("search: snapshot write already ended")
	w.commitOnce.Do(func() {
		err = w.f.Sync()
		if cerr := w.f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(w.tmp, w.path)
		}
		if err != nil {
			os.Remove(w.tmp)
			return
		}
		w.committed = true
		// The rename is durable once the directory is.
		if d, err := os.Open(filepath.Dir(w.path)); err == nil {
			d.Sync()
			d.Close()
		}
	})
	if err != nil || !w.committed {
		return Info{}, 0, fmt.Errorf("search: write snapshot %s: %w", w.path, err)
	}
	return w.info, w.size, nil
}

// Abort removes the temporary file, unless Commit has put it in place.
func (w *File) Abort() {
	w.commitOnce.Do(func() {
		w.f.Close()
		os.Remove(w.tmp)
	})
}

// ctxWriter fails its writes once ctx has ended.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// RemoveStaleTemps removes the temporary files of snapshot writes to path
// that a process stopped midway left, once they are older than age.
func RemoveStaleTemps(path string, age time.Duration) {
	tmps, _ := filepath.Glob(path + ".tmp-*")
	for _, t := range tmps {
		if st, err := os.Stat(t); err == nil && time.Since(st.ModTime()) > age {
			os.Remove(t)
		}
	}
}
