package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"anken/internal/listing"
	"anken/internal/normalize"
)

// maxLine bounds one JSON Lines record; a longer line is reported, not read.
const maxLine = 16 << 20

func normalizeCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("normalize")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	w := bufio.NewWriterSize(stdout, 1<<16)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	line, bad := 0, 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var raw listing.Raw
		if err := json.Unmarshal(b, &raw); err != nil {
			bad++
			fmt.Fprintf(stderr, "line %d: not a raw listing: %v\n", line, err)
			continue
		}
		if err := enc.Encode(normalize.Normalize(raw)); err != nil {
			return fmt.Errorf("normalize: write: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("normalize: line %d: %w", line+1, err)
	}
	if bad > 0 {
		return fmt.Errorf("normalize: %d of %d lines could not be read", bad, line)
	}
	return nil
}
