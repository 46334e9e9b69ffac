package main

import (
	"fmt"
	"io"
	"net"

	"github.com/hongbao/hongbao/ingest/broker"
)

// checkListen applies the broker's rule to an HTTP address hongbao serves on (the
// console, the ingester's metrics): loopback by default; an address other machines
// can reach only when the operator accepts it with the flag named insecureFlag, since
// these pages have no login. An empty host listens on every interface, so it is not
// loopback here. What loopback is, is the broker's (broker.Loopback).
func checkListen(flag, addr, insecureFlag string, insecure bool, warn io.Writer) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return usagef("--%s %q is not host:port; for example --%s 127.0.0.1:PORT", flag, addr, flag)
	}
	if host != "" && broker.Loopback(host) {
		return nil
	}
	if !insecure {
		return usagef("--%s %s can be reached from other machines, and what it serves has no login: anyone who reaches it reads it. Listen on 127.0.0.1, or pass --%s to accept that",
			flag, addr, insecureFlag)
	}
	fmt.Fprintf(warn, "hongbao: warning: --%s: %s is open to anyone who can reach it\n", insecureFlag, addr)
	return nil
}
