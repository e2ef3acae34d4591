//go:build !unix

package normalize

import "time"

// cpuTime is not measured here; BenchmarkNormalize then reports wall time only.
func cpuTime() time.Duration { return 0 }
