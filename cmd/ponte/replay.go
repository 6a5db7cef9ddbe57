package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/store"
)

// cmdReplay is `ponte replay --ente X [--iuv IUV] [--from DAY] [--to DAY]`:
// the selected outcome pushes, whatever their state (sent, failed, due),
// are due again now; the running servers send them within PONTE_PUSH_EVERY.
func cmdReplay(ctx context.Context, env *cliEnv, args []string) error {
	var codIpa, iuv, from, to string
	return env.adminCommand(ctx, "replay", args, func(fs *flag.FlagSet) {
		fs.StringVar(&codIpa, "ente", "", "codIpaEnte (required)")
		fs.StringVar(&iuv, "iuv", "", "only the pushes of this IUV")
		fs.StringVar(&from, "from", "", "only dovuti paid on or after this day (yyyy-mm-dd)")
		fs.StringVar(&to, "to", "", "only dovuti paid on or before this day (yyyy-mm-dd)")
	}, func(db *store.DB, _ *flag.FlagSet) error {
		if codIpa == "" {
			return errors.New("replay: --ente is required")
		}
		for _, d := range []string{from, to} {
			if _, err := time.Parse(gateway.DateLayout, d); d != "" && err != nil {
				return fmt.Errorf("replay: %q is not yyyy-mm-dd", d)
			}
		}
		ente, err := db.FindEnte(ctx, codIpa)
		if err != nil {
			return fmt.Errorf("ente %s: %w", codIpa, err)
		}
		n, err := db.ReplayPushes(ctx, gateway.PushFilter{EnteID: ente.ID, IUV: iuv, From: from, To: to})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%d outcome pushes of %s due again\n", n, codIpa)
		return nil
	})
}
