package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/etcd"
	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

// watchServices prints every change of the registrations in etcd, a put
// for each stored service first, until SIGINT, SIGTERM or the end of ctx.
// Connecting is bounded by --etcd-timeout; the watch is not.
func watchServices(ctx context.Context, stdout, stderr io.Writer, format string, source *etcdFlags, files []string) error {
	format, err := cli.Format(format, stdout)
	if err != nil {
		return err
	}
	if !source.given() {
		return cli.Usagef("--watch needs --etcd")
	}
	if len(files) > 0 {
		return cli.Usagef("--watch reads etcd: name no file")
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, closeStore, err := source.open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	if format == report.FormatTable {
		if _, err := io.WriteString(stdout, report.ChangeHeader); err != nil {
			return err
		}
	}
	var last error
	for ev := range s.WatchServices(ctx) {
		if ev.Err != nil {
			// A value that cannot be read is reported and skipped; a
			// watch that fails closes the channel after its error.
			last = ev.Err
			fmt.Fprintf(stderr, "%s services: %v\n", programName, ev.Err)
			continue
		}
		c := report.ServiceChange{Revision: ev.Revision, Change: ev.Type, Service: ev.Name}
		if ev.Type == etcd.EventPut && ev.Service != nil {
			c.File = ev.Service.File
		}
		if err := report.WriteServiceChange(stdout, format, c); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return nil // stopped
	}
	if last != nil {
		return &cli.Exit{Status: cli.ExitError} // the error is printed
	}
	return errors.New("the watch of etcd ended")
}
