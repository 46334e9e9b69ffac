package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// OnCI reports whether the tests run on CI (environment CI=true).
func OnCI() bool { return os.Getenv("CI") == "true" }

// Missing skips the test because something it needs is not installed, or
// fails it on CI, where everything must be installed.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if OnCI() {
		t.Fatalf("CI=true, so this is a failure, not a skip: "+format, args...)
	}
	t.Skipf(format, args...)
}

// Tool returns the path of an executable, calling Missing when it is not
// installed; pkg names the Debian package that provides it.
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s not installed (apt-get install %s)", name, pkg)
	}
	return p
}

// Run runs an installed tool with args (see Tool) and returns what it printed; a
// tool that fails fails the test, with its output.
func Run(t testing.TB, name, pkg string, args ...string) string {
	t.Helper()
	out, err := exec.Command(Tool(t, name, pkg), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}
