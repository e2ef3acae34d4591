package browsertest

import (
	"os/exec"
	"syscall"
)

// dieWithTest has the kernel kill the server when the test process dies
// before its cleanups run (a -timeout panic, a SIGKILL).
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
