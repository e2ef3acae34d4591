//go:build !linux

package browsertest

import "os/exec"

// dieWithTest does nothing outside Linux: the cleanups kill the server.
func dieWithTest(*exec.Cmd) {}
