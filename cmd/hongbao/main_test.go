package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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

// TestFlagsRefusedBeforeAnythingStarts: a flag value no run can use is a usage error
// naming the fix, before a broker starts or a client connects: a port past 65535 (which
// serve called an address other machines reach), 100,000 partitions (786 MB of disk
// before the first message), an empty group (kafka-go's own words), a topic the lake
// cannot hold (simulate said 'unexpected EOF'), a mistyped --dir given to transform
// (which made it and built a warehouse of nothing).
func TestFlagsRefusedBeforeAnythingStarts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"broker", "--partitions", "100000"}, "--partitions 100000 must be from 1 to 1024"},
		{[]string{"broker", "--listen", "127.0.0.1:99999"}, `--listen 127.0.0.1:99999: port "99999" is not a TCP port`},
		{[]string{"broker", "--topic", ".hidden"}, `--topic ".hidden" is not a Kafka topic name hongbao can keep`},
		{[]string{"serve", "--listen", ":99999"}, `--listen :99999: port "99999" is not a TCP port`},
		{[]string{"ingest", "--brokers", "127.0.0.1:1", "--metrics-addr", "127.0.0.1:70000"}, `--metrics-addr 127.0.0.1:70000: port "70000"`},
		{[]string{"ingest", "--brokers", "127.0.0.1:1", "--group", " "}, "--group is empty"},
		{[]string{"ingest", "--brokers", "127.0.0.1:1", "--topic", ""}, `--topic "" is not a Kafka topic name`},
		{[]string{"simulate", "--brokers", "127.0.0.1:1", "--topic", "a/b"}, `--topic "a/b" is not a Kafka topic name hongbao can keep: use 1 to 249 letters`},
		{[]string{"transform"}, "no lake at " + filepath.Join(dir, "lake") + ": nothing to build the warehouse from"},
	} {
		_, err := runHongbao(t, "", append([]string{"--dir", dir}, tc.args...)...)
		if !isUsage(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v; want a usage error saying %q", tc.args, err, tc.want)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused commands made %s (%v)", dir, err)
	}
}
