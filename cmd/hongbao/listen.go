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
	host, err := listenHost(flag, addr, "PORT")
	if err != nil {
		return err
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

// listenHost checks that addr, the value of --flag, is host:port with a port a socket
// can have (a number up to 65535, or a service name), and returns the host. example is
// the port the error's example shows.
func listenHost(flag, addr, example string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", usagef("--%s %q is not host:port; for example --%s 127.0.0.1:%s", flag, addr, flag, example)
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return "", usagef("--%s %s: port %q is not a TCP port (a number from 0 to 65535); for example --%s 127.0.0.1:%s", flag, addr, port, flag, example)
	}
	return host, nil
}
