package main

import (
	"os"
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
