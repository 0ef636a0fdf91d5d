package testkit

import (
	"os/exec"
	"syscall"
)

// setDeathSignal has the kernel signal the service if the test process
// dies without stopping it, so that no service outlives its test. SIGTERM
// rather than SIGKILL: nginx's master stops its workers on SIGTERM, and
// would orphan them on SIGKILL.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
