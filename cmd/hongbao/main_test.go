package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// asHongbao, set in a child's environment, makes the test binary run as the hongbao
// command itself, so tests run the real command line (flags, exit codes, what it
// prints, its process list entry) without building a binary.
const asHongbao = "HONGBAO_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asHongbao) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// hongbaoProcess is the command line args run as hongbao in a child process: the test
// binary, with the test's environment less what would point the child at a real
// cluster or hand it a password (HONGBAO_BROKERS, the password variable), plus env.
func hongbaoProcess(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, passwordEnv+"=") && !strings.HasPrefix(kv, "HONGBAO_BROKERS=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, asHongbao+"=1"), env...)
	return cmd
}
