package search

// Position returns the index's position: the change last applied. Every
// write moves it, so an answer computed while the position stayed the same
// is the answer at that position, and stays exact for as long as the
// position does.
func (x *Index) Position() int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.seq
}
