package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hongbao/hongbao/console"
	"github.com/hongbao/hongbao/ingest/broker"
)

type serveOptions struct {
	listen     string
	insecure   bool
	metricsURL string
	// started, if set, is called with the console's URL once it listens (tests).
	started func(url string)
}

func (o *serveOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to serve the console on; keep the loopback host unless other machines must see it")
	f.BoolVar(&o.insecure, "insecure", false, "allow a --listen address other machines can reach: the console has no login, so anyone who reaches it reads the data")
	f.StringVar(&o.metricsURL, "metrics-url", console.DefaultMetricsURL, "a running ingester's metrics ('hongbao ingest --metrics-addr'), shown live on the overview; empty for none")
}

func newServeCommand(g *globalOptions) *cobra.Command {
	o := &serveOptions{}
	c := &cobra.Command{
		Use:   "serve",
		Short: "A local web console: overview, midnight replay, facts, report, notebooks",
		Long: `serve runs a web console over the data folder: what it holds (run record, tables,
quarantine by reason, lake commits) and, with an ingester serving metrics, its live rate
and lag; a replay of the hour around the peak minute; the facts sheet; the report's PDF
and charts; and the shipped notebooks, run on request. In Chinese or English.

Everything it needs is inside the binary, and it works offline. It writes nothing to
the data folder: the warehouse is read through the read-only SQL sandbox. It listens
on loopback unless told otherwise (--insecure for another address).`,
		Example: "  hongbao demo && hongbao serve    # then open http://127.0.0.1:8080/replay",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), g, o)
		},
	}
	o.AddFlags(c.Flags())
	return c
}

func runServe(ctx context.Context, g *globalOptions, o *serveOptions) error {
	if err := checkListen("listen", o.listen, "insecure", o.insecure, os.Stderr); err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(o.listen)
	con, err := console.New(console.Config{Dir: g.dir, MetricsURL: o.metricsURL, LoopbackOnly: host != "" && broker.Loopback(host)})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("serve the console on %s: %w", o.listen, err)
	}
	srv := &http.Server{Handler: con, ReadHeaderTimeout: 10 * time.Second}
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(os.Stderr, "console of %s on %s (Ctrl-C to stop)\n", g.dir, url)
	if o.started != nil {
		o.started(url)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
