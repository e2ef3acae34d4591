package account

// Held is the work a Service would do after its answers, kept instead of
// run (HoldLater).
type Held struct{ jobs []func() }

// HoldLater makes s keep the work it does after an answer instead of
// running it, so a test sees what an answer did before it.
func HoldLater(s *Service) *Held {
	h := &Held{}
	s.later = func(job func()) { h.jobs = append(h.jobs, job) }
	return h
}

// Len is how many jobs are kept.
func (h *Held) Len() int { return len(h.jobs) }

// Run runs the kept jobs in order and forgets them.
func (h *Held) Run() {
	jobs := h.jobs
	h.jobs = nil
	for _, job := range jobs {
		job()
	}
}
