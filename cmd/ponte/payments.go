package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/store"
)

const paymentsUsage = `usage: ponte payments show|retry-rt|expire --id-session ID
       ponte payments show|retry-rt|expire --ente CODIPA --iuv IUV
       ponte payments show|retry-rt|expire --ente CODIPA --iud IUD

show:      the carts, their payments (RPTs), receipts and what receipt
           recovery did for each, without SQL;
retry-rt:  receipt recovery asks the node about their payments still
           without receipt at its next round, whatever their schedule;
expire:    ends those carts still waiting (SCADUTO): not started, or in
           progress without any receipt; their dovuti become payable again.
           A receipt arriving later still decides the payment.
`

// cmdPayments is `ponte payments show`.
func cmdPayments(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 || args[0] != "show" && args[0] != "retry-rt" && args[0] != "expire" {
		fmt.Fprint(env.stderr, paymentsUsage)
		return flag.ErrHelp
	}
	action := args[0]
	var idSession, codIpa, iuv, iud string
	return env.adminCommand(ctx, "payments "+action, args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&idSession, "id-session", "", "idSession of the cart (as the ente knows it)")
		fs.StringVar(&codIpa, "ente", "", "codIpaEnte, with --iuv or --iud")
		fs.StringVar(&iuv, "iuv", "", "IUV of a payment of the ente")
		fs.StringVar(&iud, "iud", "", "IUD of a dovuto of the ente")
	}, func(db *store.DB, _ *flag.FlagSet) error {
		var carts []*gateway.Cart
		switch {
		case idSession != "":
			c, err := db.FindCart(ctx, idSession)
			if err != nil {
				return err
			}
			carts = append(carts, c)
		case codIpa != "" && (iuv != "") != (iud != ""):
			ente, err := db.FindEnte(ctx, codIpa)
			if err != nil {
				return fmt.Errorf("ente %s: %w", codIpa, err)
			}
			var ps []*gateway.Payment
			if iuv != "" {
				ps, err = db.FindPayments(ctx, ente.CodiceFiscale, iuv)
			} else {
				ps, err = db.FindPaymentsByIUD(ctx, ente.ID, iud)
			}
			if err != nil {
				return err
			}
			seen := map[int64]bool{}
			for _, p := range ps {
				if seen[p.CartID] {
					continue
				}
				seen[p.CartID] = true
				c, err := db.FindCartByID(ctx, p.CartID)
				if err != nil {
					return err
				}
				carts = append(carts, c)
			}
		default:
			fmt.Fprint(env.stderr, paymentsUsage)
			return flag.ErrHelp
		}
		if len(carts) == 0 {
			fmt.Fprintln(env.stdout, "no payment found")
			return nil
		}
		for _, c := range carts {
			switch action {
			case "retry-rt":
				for _, p := range c.Payments {
					ok, err := db.RetryRecovery(ctx, p.ID)
					if err != nil {
						return err
					}
					if ok {
						fmt.Fprintf(env.stdout, "cart %s payment %d (IUV %s): recovery asks the node at its next round\n", c.IDSession, p.Position, p.IUV)
					}
				}
			case "expire":
				err := expireCart(ctx, db, c)
				switch {
				case errors.Is(err, gateway.ErrConflict):
					fmt.Fprintf(env.stdout, "cart %s is %s: left as it is\n", c.IDSession, c.State)
				case err != nil:
					return err
				default:
					fmt.Fprintf(env.stdout, "cart %s: %s -> %s\n", c.IDSession, c.State, gateway.CartScaduto)
				}
			default:
				printCart(env.stdout, c)
			}
		}
		return nil
	})
}

// expireCart ends a cart still waiting: one never sent as MyPay's expiry
// does, one in progress without receipts by an operator's decision.
func expireCart(ctx context.Context, db *store.DB, c *gateway.Cart) error {
	const reason = "scaduto per decisione dell'operatore (ponte payments expire)"
	switch c.State {
	case gateway.CartPredisposto:
		return db.MarkCartFailed(ctx, c.ID, gateway.CartScaduto, reason)
	case gateway.CartInCorso:
		return db.ExpireCart(ctx, c.ID, reason)
	}
	return gateway.ErrConflict
}

func printCart(w io.Writer, c *gateway.Cart) {
	fmt.Fprintf(w, "cart %s  %s  %s  ente %s  created %s\n", c.IDSession, c.State, c.Kind, c.CodIpa, when(c.CreatedAt))
	if c.NodeSession != "" {
		fmt.Fprintf(w, "  node session %s\n", c.NodeSession)
	}
	if c.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", c.Error)
	}
	for _, p := range c.Payments {
		fmt.Fprintf(w, "  payment %d  %s  dominio %s  IUV %s  CCP %s  %s  sent %s\n",
			p.Position, p.State, p.Dominio, p.IUV, p.CCP, p.Amount, when(p.RequestedAt))
		for _, it := range p.Items {
			fmt.Fprintf(w, "    item IUD %s  %s  %s  %s\n", it.IUD, it.TipoDovuto, it.Amount, it.State)
		}
		if r := p.Receipt; r != nil {
			fmt.Fprintf(w, "    receipt esito %s  %s  message %s  received %s\n", r.Esito, r.Amount, r.MessageID, when(r.ReceivedAt))
		}
		if rec := p.Recovery; rec.Attempts > 0 {
			next := "none"
			if !rec.Next.IsZero() && rec.Next.Year() < 9999 {
				next = when(rec.Next)
			}
			fmt.Fprintf(w, "    recovery: %d attempt(s), last: %s; next: %s\n", rec.Attempts, rec.Last, next)
		}
	}
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(gateway.Rome).Format("2006-01-02 15:04:05")
}
