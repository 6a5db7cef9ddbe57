package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/store"
)

const journalUsage = `usage:
  ponte journal search [--ente COD] [--op OPERATION] [--iuv IUV] [--iud IUD] [--id-session ID] [--fault CODE]
                       [--from 2026-01-02T15:04:05Z] [--to …] [--limit 50] [--bodies]
  ponte journal purge --older-than 2160h
`

func cmdJournal(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, journalUsage)
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "search":
		var f gateway.JournalFilter
		var from, to string
		var bodies bool
		return env.adminCommand(ctx, "journal search", args, func(fs *flag.FlagSet) {
			fs.StringVar(&f.CodIpa, "ente", "", "codIpaEnte")
			fs.StringVar(&f.Operation, "op", "", "operation, e.g. paaSILImportaDovuto")
			fs.StringVar(&f.IUV, "iuv", "", "IUV")
			fs.StringVar(&f.IUD, "iud", "", "IUD")
			fs.StringVar(&f.IDSession, "id-session", "", "idSession")
			fs.StringVar(&f.FaultCode, "fault", "", "fault code")
			fs.StringVar(&from, "from", "", "earliest time (RFC 3339)")
			fs.StringVar(&to, "to", "", "latest time (RFC 3339)")
			fs.IntVar(&f.Limit, "limit", 50, "most events shown, newest first")
			fs.BoolVar(&bodies, "bodies", false, "print request and response bodies")
		}, func(db *store.DB, _ *flag.FlagSet) error {
			var err error
			if f.From, err = parseTimeFlag("from", from); err != nil {
				return err
			}
			if f.To, err = parseTimeFlag("to", to); err != nil {
				return err
			}
			evs, err := db.SearchEvents(ctx, f)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TIME\tDIR\tOPERATION\tENTE\tIUV\tIUD\tESITO\tFAULT\tMS")
			for _, e := range evs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", e.Time.Format(time.RFC3339Nano), e.Direction, e.Operation, e.CodIpa, e.IUV, e.IUD, e.Esito, e.FaultCode, e.DurationMS)
				if bodies {
					tw.Flush()
					fmt.Fprintf(env.stdout, "  request:  %s\n  response: %s\n", e.Request, e.Response)
				}
			}
			return tw.Flush()
		})
	case "purge":
		var older time.Duration
		return env.adminCommand(ctx, "journal purge", args, func(fs *flag.FlagSet) {
			fs.DurationVar(&older, "older-than", 90*24*time.Hour, "purge events older than this")
		}, func(db *store.DB, _ *flag.FlagSet) error {
			n, err := db.PurgeEvents(ctx, time.Now().Add(-older))
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "purged %d events\n", n)
			return nil
		})
	}
	fmt.Fprint(env.stderr, journalUsage)
	return fmt.Errorf("journal: unknown subcommand %q", sub)
}

func parseTimeFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, gateway.DateLayout} {
		if t, err := time.ParseInLocation(layout, v, gateway.Rome); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--%s %q: RFC 3339 time or yyyy-mm-dd", name, v)
}
