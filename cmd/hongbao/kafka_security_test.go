package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/internal/testcert"
	"github.com/hongbao/hongbao/internal/testenv"
	"github.com/hongbao/hongbao/transform"
)

// The password of these tests: distinctive, so that a search of every output and
// file finds it wherever it leaked.
const testPassword = "Hb-Sekret-7f3a9c1d-oolong"

// transcript collects everything the commands of a test printed.
type transcript struct{ bytes.Buffer }

// hongbao runs the command line in a child process with env added to the test's
// environment, and returns its exit code and combined output.
func (tr *transcript) hongbao(t *testing.T, env []string, args ...string) (int, string, time.Duration) {
	t.Helper()
	cmd := hongbaoProcess(env, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	fmt.Fprintf(&tr.Buffer, "$ hongbao %s\n%s", strings.Join(args, " "), out)
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, string(out), elapsed
}

// startBrokerCommand runs 'hongbao broker' with args and waits for the line that
// says it listens; stop interrupts it as Ctrl-C does and returns the exit code.
func (tr *transcript) startBrokerCommand(t *testing.T, env []string, args ...string) (pid int, stop func() int) {
	t.Helper()
	cmd := hongbaoProcess(env, append([]string{"broker"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&tr.Buffer, "$ hongbao broker %s\n", strings.Join(args, " "))
	ready := make(chan bool, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		said := false
		for sc.Scan() {
			fmt.Fprintln(&tr.Buffer, sc.Text())
			if !said && strings.HasPrefix(sc.Text(), "broker listening on ") {
				said = true
				ready <- true
			}
		}
		if !said {
			ready <- false
		}
	}()
	select {
	case ok := <-ready:
		if !ok {
			cmd.Wait()
			t.Fatalf("the broker did not start:\n%s", tr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the broker did not say it listens within 30s")
	}
	stopped := false
	stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cmd.Process.Signal(os.Interrupt)
		<-done
		err := cmd.Wait()
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			return ee.ExitCode()
		}
		return 0
	}
	t.Cleanup(func() { stop() })
	return cmd.Process.Pid, stop
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

var producedTotal = regexp.MustCompile(`(?m)^total\s+(\d+)`)

func landedRows(t *testing.T, dir string) int64 {
	t.Helper()
	w, err := transform.OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var total int64
	for _, table := range []string{"envelopes", "grabs", "card_bindings", "withdrawals", "payments", "links", "quarantine"} {
		var n int64
		if err := w.DB().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		total += n
	}
	return total
}

// TestSecureKafka runs the acceptance of issue 9 with the real command line: a
// broker with a self-signed certificate and SCRAM-SHA-256 (then PLAIN, its password
// in a file), simulate and ingest landing every message with the password, kcat
// reading the topic with the same credentials; a wrong password, none, no SASL and
// plain TCP each refused with a sentence within seconds; and the password in no
// output, no file written and not in the broker's process list.
func TestSecureKafka(t *testing.T) {
	tmp := t.TempDir()
	cert := testcert.New(t, tmp, "broker")
	tr := &transcript{}
	secrets := []string{cert.Key} // files that hold a secret on purpose

	for _, mech := range []string{"SCRAM-SHA-256", "PLAIN"} {
		t.Run(mech, func(t *testing.T) {
			dir := filepath.Join(tmp, mech)
			addr := "127.0.0.1:" + freePort(t)
			env := []string{passwordEnv + "=" + testPassword}
			auth := []string{"--sasl-mechanism", mech, "--sasl-user", "ana"}
			if mech == "PLAIN" {
				// The other way to give the password: a file only its owner reads.
				pwFile := filepath.Join(tmp, "password")
				if err := os.WriteFile(pwFile, []byte(testPassword+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				secrets = append(secrets, pwFile)
				env = nil
				auth = append(auth, "--sasl-password-file", pwFile)
			}
			pid, stop := tr.startBrokerCommand(t, env, append([]string{"--listen", addr, "--dir", dir, "--tls-cert", cert.Cert, "--tls-key", cert.Key}, auth...)...)
			cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if err == nil && bytes.Contains(cmdline, []byte(testPassword)) {
				t.Errorf("the broker's process list entry holds the password: %q", cmdline)
			}
			client := append([]string{"--brokers", addr, "--dir", dir, "--tls", "--tls-ca", cert.Cert}, auth...)

			code, out, _ := tr.hongbao(t, env, append([]string{"simulate", "--scale", "0.0005", "--seed", "9"}, client...)...)
			m := producedTotal.FindStringSubmatch(out)
			if code != 0 || m == nil {
				t.Fatalf("simulate exited %d:\n%s", code, out)
			}
			produced, _ := strconv.ParseInt(m[1], 10, 64)
			code, out, _ = tr.hongbao(t, env, append([]string{"ingest", "--until-idle", "1s"}, client...)...)
			if code != 0 {
				t.Fatalf("ingest exited %d:\n%s", code, out)
			}
			if landed := landedRows(t, dir); landed != produced || produced == 0 {
				t.Errorf("%d messages produced, %d landed", produced, landed)
			}

			// kcat (librdkafka) reads the topic with the same credentials, given in a
			// configuration file as they should be on a shared machine (its -X flags
			// would show in the process list).
			if kcat := testenv.Tool(t, "kcat", "kcat"); kcat != "" {
				conf := filepath.Join(tmp, "kcat-"+mech+".conf")
				if err := os.WriteFile(conf, []byte("security.protocol=SASL_SSL\nsasl.mechanisms="+mech+"\nsasl.username=ana\nsasl.password="+testPassword+"\nssl.ca.location="+cert.Cert+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				secrets = append(secrets, conf)
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				out, err := exec.CommandContext(ctx, kcat, "-F", conf, "-C", "-b", addr, "-t", "hongbao.events", "-e", "-q", "-f", "%o\n").Output()
				cancel()
				if err != nil {
					t.Fatalf("kcat: %v\n%s", err, out)
				}
				fmt.Fprintf(&tr.Buffer, "$ kcat -C ...\n(%d lines)\n", bytes.Count(out, []byte("\n")))
				if n := int64(bytes.Count(out, []byte("\n"))); n != produced {
					t.Errorf("kcat read %d messages, %d were produced", n, produced)
				}
			}

			// Each wrong setting: a sentence naming what to change, within seconds.
			wrongPw := append([]string{}, client...)
			wrongEnv := []string{passwordEnv + "=not-" + testPassword[:4]}
			if mech == "PLAIN" {
				// Without the file, the password comes from the environment.
				wrongPw = []string{"--brokers", addr, "--dir", dir, "--tls", "--tls-ca", cert.Cert, "--sasl-mechanism", mech, "--sasl-user", "ana"}
			}
			noSASL := []string{"--brokers", addr, "--dir", dir, "--tls-ca", cert.Cert}
			plainTCP := append([]string{"--brokers", addr, "--dir", dir}, auth...)
			for _, tc := range []struct {
				name string
				env  []string
				args []string
				code int
				says string
			}{
				{"wrong password", wrongEnv, wrongPw, 1, `refused user "ana" with ` + mech + ": the password is wrong"},
				{"no password", nil, wrongPw, 2, "has no password: set HONGBAO_SASL_PASSWORD"},
				{"no SASL", nil, noSASL, 1, "pass --sasl-mechanism and --sasl-user"},
				{"plain TCP", env, plainTCP, 1, "speaks TLS on this port"},
			} {
				for _, verb := range [][]string{{"simulate", "--scale", "0.0001"}, {"ingest", "--until-idle", "1s"}} {
					code, out, elapsed := tr.hongbao(t, tc.env, append(verb, tc.args...)...)
					if code != tc.code || !strings.Contains(out, tc.says) {
						t.Errorf("%s, %s: exit %d, want %d with %q:\n%s", tc.name, verb[0], code, tc.code, tc.says, out)
					}
					if elapsed > 20*time.Second {
						t.Errorf("%s, %s: took %s to fail", tc.name, verb[0], elapsed)
					}
				}
			}
			if code := stop(); code != 0 {
				t.Errorf("the broker exited %d on Ctrl-C", code)
			}
		})
	}

	// The password is in no output and in no file the commands wrote.
	if strings.Contains(tr.String(), testPassword) {
		t.Errorf("the password appears in the commands' output:\n%s", tr.String())
	}
	filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, s := range secrets {
			if path == s {
				return nil
			}
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(testPassword)) {
			t.Errorf("%s holds the password", path)
		}
		return nil
	})
	if testing.Verbose() {
		t.Logf("transcript:\n%s", tr.String())
	}
}

// TestBrokerOpenListen: 'hongbao broker --listen 0.0.0.0:PORT' without SASL is
// refused (exit 2) with a sentence naming the fix; with --insecure it starts and
// warns in one sentence.
func TestBrokerOpenListen(t *testing.T) {
	tr := &transcript{}
	port := freePort(t)
	dir := t.TempDir()
	code, out, _ := tr.hongbao(t, nil, "broker", "--listen", "0.0.0.0:"+port, "--dir", dir)
	if code != 2 || !strings.Contains(out, "without SASL anyone who reaches it can read, write and delete topics") || !strings.Contains(out, "--insecure") {
		t.Errorf("open listen without SASL: exit %d:\n%s", code, out)
	}
	_, stop := tr.startBrokerCommand(t, nil, "--listen", "0.0.0.0:"+port, "--advertise", "127.0.0.1:"+port, "--dir", dir, "--insecure")
	stop()
	warnings := regexp.MustCompile(`(?m)^hongbao: warning: .*$`).FindAllString(tr.String(), -1)
	if len(warnings) != 1 || !strings.Contains(warnings[0], "anyone who can reach it can read, write and delete its topics") {
		t.Errorf("with --insecure, warnings %q:\n%s", warnings, tr.String())
	}
}

// TestKafkaSecurityFlags: each wrong combination of the TLS and SASL flags is a
// usage error naming the fix, before anything connects or is written.
func TestKafkaSecurityFlags(t *testing.T) {
	tmp := t.TempDir()
	cert := testcert.New(t, tmp, "c")
	notPEM := filepath.Join(tmp, "not.pem")
	empty := filepath.Join(tmp, "empty")
	for path, content := range map[string]string{notPEM: "hello", empty: "\n"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(passwordEnv, "")
	for _, tc := range []struct {
		name string
		sec  kafkaSecurityOptions
		env  string
		says string
	}{
		{"key without cert", kafkaSecurityOptions{tlsKey: cert.Key}, "", "--tls-cert and --tls-key go together"},
		{"cert without key", kafkaSecurityOptions{tlsCert: cert.Cert}, "", "--tls-cert and --tls-key go together"},
		{"missing CA", kafkaSecurityOptions{tlsCA: filepath.Join(tmp, "nope.pem")}, "", "--tls-ca: stat"},
		{"CA not PEM", kafkaSecurityOptions{tlsCA: notPEM}, "", "holds no PEM certificate"},
		{"cert not PEM", kafkaSecurityOptions{tlsCert: notPEM, tlsKey: cert.Key}, "", "--tls-cert, --tls-key: certificate"},
		{"user without mechanism", kafkaSecurityOptions{sasl: saslOptions{user: "ana"}}, "x", "need --sasl-mechanism"},
		{"mechanism without user", kafkaSecurityOptions{sasl: saslOptions{mechanism: "PLAIN"}}, "x", "needs --sasl-user"},
		{"unknown mechanism", kafkaSecurityOptions{sasl: saslOptions{mechanism: "GSSAPI", user: "ana"}}, "x", "is not one of SCRAM-SHA-256"},
		{"no password", kafkaSecurityOptions{sasl: saslOptions{mechanism: "SCRAM-SHA-256", user: "ana"}}, "", "has no password: set HONGBAO_SASL_PASSWORD"},
		{"empty password file", kafkaSecurityOptions{sasl: saslOptions{mechanism: "SCRAM-SHA-256", user: "ana", passwordFile: empty}}, "", "is empty"},
		{"missing password file", kafkaSecurityOptions{sasl: saslOptions{mechanism: "SCRAM-SHA-256", user: "ana", passwordFile: filepath.Join(tmp, "nope")}}, "", "--sasl-password-file: stat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(passwordEnv, tc.env)
			dir := filepath.Join(tmp, "data-"+strings.ReplaceAll(tc.name, " ", "-"))
			o := &simulateOptions{kafka: kafkaOptions{brokers: "127.0.0.1:1", topic: "t", security: tc.sec}, world: worldOptions{scale: 0.0001, seed: 1}, dir: dir}
			_, err := runSimulate(context.Background(), o)
			if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("simulate: %v, want a usage error saying %q", err, tc.says)
			}
			_, err = runIngest(context.Background(), &globalOptions{dir: dir}, &ingestOptions{kafka: o.kafka, group: "g", flushRows: 1}, nil)
			if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("ingest: %v, want a usage error saying %q", err, tc.says)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("something was written in %s before the flags were checked", dir)
			}
		})
	}
}

// TestPasswordFileReadableByOthers warns, in one sentence, about a password file
// other users can read, and reads only its first line.
func TestPasswordFileReadableByOthers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(path, []byte(testPassword+"\r\nsecond line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	o := saslOptions{mechanism: "scram-sha-512", user: "ana", passwordFile: path}
	mech, user, pass, err := o.credentials(&warn)
	if err != nil || mech != "SCRAM-SHA-512" || user != "ana" || pass.Reveal() != testPassword {
		t.Fatalf("credentials: %s %s %v", mech, user, err)
	}
	if !strings.Contains(warn.String(), "chmod 600") || strings.Count(warn.String(), "\n") != 1 || strings.Contains(warn.String(), testPassword) {
		t.Errorf("warning: %q", warn.String())
	}
}
