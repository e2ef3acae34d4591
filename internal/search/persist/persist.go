// Package persist is the frame of a search index's snapshot file: a
// header that says what the snapshot is (Info) and which format and
// vocabulary wrote it, a body checksummed as it streams through, a
// trailer that closes it, and the file's life (written beside its path,
// synced, renamed into place). What the body holds, the index's columns
// and postings in their order, is package search's (its persist.go): only
// the index knows its own fields, so it writes and reads them through a
// Writer and a Reader, and this package knows nothing of them.
//
// Layout, little-endian:
//
//	header  "ANKENIDX", format version u32, vocabulary u64, seq i64,
//	        mark i64, mark's time (Unix ns, 0 none) i64, listings u64,
//	        slots u64, written (Unix ns) i64,
//	        store identity (u16 length, bytes), CRC-32C of the header u32
//	body    the index's (package search)
//	trailer body length u64, CRC-32C of the body u32, "ANKENEND"
//
// A file of another format version or vocabulary, with a checksum that
// does not match, cut short or with bytes after its end is refused with
// ErrBad.
package persist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
)

const (
	magic = "ANKENIDX"
	end   = "ANKENEND"
	// bufSize is the size of the reader's and writer's buffers.
	bufSize = 1 << 20
)

// ErrBad is wrapped by every error about a snapshot's content (as opposed
// to reading or writing it).
var ErrBad = errors.New("search: bad index snapshot")

// Bad returns an error about a snapshot's content: it wraps ErrBad.
func Bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBad, fmt.Sprintf(format, args...))
}

// Info is what a snapshot's header says.
type Info struct {
	Version  int       // format version of the binary that wrote it
	Seq      int64     // the index's position: the last change of the store's log it holds
	Store    string    // identity of the store whose change log Seq is a position in
	Mark     int64     // the listing whose latest change was at Seq when written; 0 when unknown
	MarkAt   time.Time // that change's time (the listing's updated_at)
	Listings int       // open listings
	Written  time.Time // when the writing began
}

// Format names what a snapshot's body was coded with: a reader refuses a
// snapshot of another Version or Vocabulary (a hash of the code tables
// the body's columns and texts depend on).
type Format struct {
	Version    int
	Vocabulary uint64
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Writer buffers what it is given and hands it on in large writes,
// keeping the checksum of the body. The first error sticks: the body's
// writes return none, End returns it.
type Writer struct {
	w    io.Writer
	buf  []byte
	body bool // the header is written: what follows is summed
	sum  uint32
	n    int64 // body bytes
	err  error

	scratch [8]byte
}

// NewWriter returns a writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w, buf: make([]byte, 0, bufSize)} }

func (w *Writer) flush() {
	if w.err == nil && len(w.buf) > 0 {
		_, w.err = w.w.Write(w.buf)
	}
	w.buf = w.buf[:0]
}

// Write makes Writer an io.Writer for roaring's WriteTo.
func (w *Writer) Write(p []byte) (int, error) {
	w.Raw(p)
	return len(p), w.err
}

// Raw writes p as it is.
func (w *Writer) Raw(p []byte) {
	if w.err != nil {
		return
	}
	if w.body {
		w.sum = crc32.Update(w.sum, castagnoli, p)
		w.n += int64(len(p))
	}
	for len(p) > 0 {
		if len(w.buf) == cap(w.buf) {
			w.flush()
			if w.err != nil {
				return
			}
		}
		k := min(len(p), cap(w.buf)-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
	}
}

func (w *Writer) U16(v uint16) { w.Raw(binary.LittleEndian.AppendUint16(w.scratch[:0], v)) }
func (w *Writer) U32(v uint32) { w.Raw(binary.LittleEndian.AppendUint32(w.scratch[:0], v)) }
func (w *Writer) U64(v uint64) { w.Raw(binary.LittleEndian.AppendUint64(w.scratch[:0], v)) }

// Str writes s with its length before it (u32).
func (w *Writer) Str(s string) {
	w.U32(uint32(len(s)))
	w.Raw(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// Bitmap writes b in roaring's portable format.
func (w *Writer) Bitmap(b *roaring.Bitmap) {
	if w.err == nil {
		if _, err := b.WriteTo(w); err != nil && w.err == nil {
			w.err = err
		}
	}
}

// Header writes the header of a snapshot of f with info and the index's
// count of slots; what is written after it is the body.
func (w *Writer) Header(f Format, info Info, slots int) {
	h := []byte(magic)
	h = binary.LittleEndian.AppendUint32(h, uint32(info.Version))
	h = binary.LittleEndian.AppendUint64(h, f.Vocabulary)
	h = binary.LittleEndian.AppendUint64(h, uint64(info.Seq))
	h = binary.LittleEndian.AppendUint64(h, uint64(info.Mark))
	h = binary.LittleEndian.AppendUint64(h, uint64(unixNano(info.MarkAt)))
	h = binary.LittleEndian.AppendUint64(h, uint64(info.Listings))
	h = binary.LittleEndian.AppendUint64(h, uint64(slots))
	h = binary.LittleEndian.AppendUint64(h, uint64(unixNano(info.Written)))
	h = binary.LittleEndian.AppendUint16(h, uint16(len(info.Store)))
	h = append(h, info.Store...)
	h = binary.LittleEndian.AppendUint32(h, crc32.Checksum(h, castagnoli))
	w.Raw(h)
	w.body = true
}

// End writes the trailer, flushes what is buffered and returns the first
// error of the writes.
func (w *Writer) End() error {
	n, sum := w.n, w.sum
	w.body = false
	w.U64(uint64(n))
	w.U32(sum)
	w.Raw([]byte(end))
	w.flush()
	return w.err
}

// Reader reads a snapshot through a buffer of its own, keeping the
// checksum of the body read so far: the bytes consumed, not those read
// ahead.
type Reader struct {
	r        io.Reader
	buf      []byte
	pos, end int // buf[pos:end] is read ahead
	hashed   int // buf[hashed:pos] is consumed but not yet in sum
	summing  bool
	sum      uint32
	n        int64 // body bytes consumed
	eof      bool
}

// NewReader returns a reader of r, which must hold the snapshot and
// nothing after it.
func NewReader(r io.Reader) *Reader { return &Reader{r: r, buf: make([]byte, bufSize)} }

// hash adds the consumed bytes to the sum.
func (r *Reader) hash() {
	if r.summing {
		r.sum = crc32.Update(r.sum, castagnoli, r.buf[r.hashed:r.pos])
	}
	r.hashed = r.pos
}

// fill makes at least need bytes (at most len(r.buf)) available.
func (r *Reader) fill(need int) error {
	if r.end-r.pos >= need {
		return nil
	}
	r.hash()
	k := copy(r.buf, r.buf[r.pos:r.end])
	r.pos, r.end, r.hashed = 0, k, 0
	for r.end < need {
		if r.eof {
			return Bad("cut short")
		}
		m, err := r.r.Read(r.buf[r.end:])
		r.end += m
		if errors.Is(err, io.EOF) {
			r.eof = true
		} else if err != nil {
			return fmt.Errorf("search: read snapshot: %w", err)
		}
	}
	return nil
}

// BufLen is the most bytes Next returns at once.
func (r *Reader) BufLen() int { return len(r.buf) }

// Next consumes n bytes (at most BufLen), returned in the buffer: they
// are good until the next read.
func (r *Reader) Next(n int) ([]byte, error) {
	if err := r.fill(n); err != nil {
		return nil, err
	}
	b := r.buf[r.pos : r.pos+n]
	r.pos += n
	if r.summing {
		r.n += int64(n)
	}
	return b, nil
}

// Read makes Reader an io.Reader for roaring's ReadFrom.
func (r *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.pos == r.end {
		if err := r.fill(1); err != nil {
			return 0, err
		}
	}
	k := copy(p, r.buf[r.pos:r.end])
	r.pos += k
	if r.summing {
		r.n += int64(k)
	}
	return k, nil
}

// ReadFull consumes exactly len(p) bytes into p.
func (r *Reader) ReadFull(p []byte) error {
	for len(p) > 0 {
		k, err := r.Read(p[:min(len(p), len(r.buf))])
		if err != nil {
			return err
		}
		p = p[k:]
	}
	return nil
}

func (r *Reader) U32() (uint32, error) {
	b, err := r.Next(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (r *Reader) U64() (uint64, error) {
	b, err := r.Next(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// Count reads a count of items (u64) and checks it against most.
func (r *Reader) Count(what string, most uint64) (int, error) {
	v, err := r.U64()
	if err != nil {
		return 0, err
	}
	if v > most {
		return 0, Bad("%d %s, at most %d possible", v, what, most)
	}
	return int(v), nil
}

// Str reads a string of at most most bytes, as Writer.Str wrote it.
func (r *Reader) Str(most int) (string, error) {
	n, err := r.U32()
	if err != nil {
		return "", err
	}
	if int64(n) > int64(most) {
		return "", Bad("a string of %d bytes, at most %d possible", n, most)
	}
	b, err := r.Bytes(int(n))
	return string(b), err
}

// Bytes consumes n bytes into a new slice, which grows as they arrive:
// a wrong length fails at the end of the input, not by allocating it.
func (r *Reader) Bytes(n int) ([]byte, error) {
	if n <= len(r.buf) {
		b, err := r.Next(n)
		if err != nil {
			return nil, err
		}
		return append(make([]byte, 0, n), b...), nil
	}
	b := make([]byte, 0, len(r.buf))
	for len(b) < n {
		chunk, err := r.Next(min(n-len(b), len(r.buf)))
		if err != nil {
			return nil, err
		}
		b = append(b, chunk...)
	}
	return b, nil
}

// Bitmap reads a bitmap whose values must be slots below slots.
func (r *Reader) Bitmap(slots int) (*roaring.Bitmap, error) {
	b := roaring.New()
	if _, err := b.ReadFrom(r); err != nil {
		if errors.Is(err, ErrBad) {
			return nil, err
		}
		return nil, Bad("bitmap: %v", err)
	}
	if !b.IsEmpty() && uint64(b.Maximum()) >= uint64(slots) {
		return nil, Bad("slot %d in a bitmap, of %d", b.Maximum(), slots)
	}
	return b, nil
}

// Header reads and checks the header of a snapshot of f; it returns it
// and the slot count. What is read after it is the body.
func (r *Reader) Header(f Format) (Info, int, error) {
	const fixed = 8 + 4 + 8 + 8 + 8 + 8 + 8 + 8 + 8 + 2
	b, err := r.Next(8 + 4)
	if err != nil {
		return Info{}, 0, err
	}
	if string(b[:8]) != magic {
		return Info{}, 0, Bad("not an index snapshot")
	}
	le := binary.LittleEndian
	if v := le.Uint32(b[8:]); v != uint32(f.Version) {
		return Info{}, 0, Bad("format version %d, this binary reads %d", v, f.Version)
	}
	h := append([]byte(nil), b...)
	if b, err = r.Next(fixed - len(h)); err != nil {
		return Info{}, 0, err
	}
	h = append(h, b...)
	storeLen := int(le.Uint16(h[fixed-2:]))
	if b, err = r.Next(storeLen + 4); err != nil {
		return Info{}, 0, err
	}
	h = append(h, b...)
	if crc32.Checksum(h[:fixed+storeLen], castagnoli) != le.Uint32(h[fixed+storeLen:]) {
		return Info{}, 0, Bad("header checksum does not match")
	}
	if le.Uint64(h[12:]) != f.Vocabulary {
		return Info{}, 0, Bad("written with other roles, skills or Unicode tables than this binary's")
	}
	info := Info{
		Version:  f.Version,
		Seq:      int64(le.Uint64(h[20:])),
		Mark:     int64(le.Uint64(h[28:])),
		MarkAt:   fromUnixNano(int64(le.Uint64(h[36:]))),
		Listings: int(le.Uint64(h[44:])),
		Written:  fromUnixNano(int64(le.Uint64(h[60:]))),
		Store:    string(h[fixed : fixed+storeLen]),
	}
	slots := le.Uint64(h[52:])
	if slots > 1<<32 || uint64(info.Listings) > slots || info.Seq < 0 {
		return Info{}, 0, Bad("%d listings in %d slots at position %d", info.Listings, slots, info.Seq)
	}
	r.hash()
	r.summing = true
	return info, int(slots), nil
}

// End reads the trailer and checks the body against it, and that nothing
// follows.
func (r *Reader) End() error {
	r.hash()
	n, sum := r.n, r.sum
	r.summing = false
	b, err := r.Next(8 + 4 + len(end))
	if err != nil {
		return err
	}
	if string(b[12:]) != end || int64(binary.LittleEndian.Uint64(b)) != n {
		return Bad("no end after %d bytes of body", n)
	}
	if binary.LittleEndian.Uint32(b[8:]) != sum {
		return Bad("body checksum does not match")
	}
	if r.pos < r.end {
		return Bad("bytes after the end")
	}
	if !r.eof {
		var one [1]byte
		if k, _ := io.ReadFull(r.r, one[:]); k > 0 {
			return Bad("bytes after the end")
		}
	}
	return nil
}

// unixNano is t in Unix nanoseconds, 0 for the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromUnixNano is the inverse of unixNano, in UTC.
func fromUnixNano(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}
