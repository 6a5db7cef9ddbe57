package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/ponte-pagopa/ponte/gateway/avvisi"
	"github.com/ponte-pagopa/ponte/store"
)

// cmdAvviso is `ponte avviso --ente X --iuv Y [-o FILE]`: the avviso PDF
// of a stored dovuto, written to FILE (default avviso_<cf>_<IUV>.pdf).
func cmdAvviso(ctx context.Context, env *cliEnv, args []string) error {
	var codIpa, iuv, out string
	return env.adminCommand(ctx, "avviso", args, func(fs *flag.FlagSet) {
		fs.StringVar(&codIpa, "ente", "", "codIpaEnte")
		fs.StringVar(&iuv, "iuv", "", "IUV of the dovuto")
		fs.StringVar(&out, "o", "", "output file (default avviso_<codice fiscale>_<IUV>.pdf; - for standard output)")
	}, func(db *store.DB, _ *flag.FlagSet) error {
		if codIpa == "" || iuv == "" {
			return errors.New("avviso: --ente and --iuv are required")
		}
		ente, err := db.FindEnte(ctx, codIpa)
		if err != nil {
			return fmt.Errorf("ente %s: %w", codIpa, err)
		}
		d, err := db.FindDovutoByIUV(ctx, ente.ID, iuv)
		if err != nil {
			return fmt.Errorf("dovuto with IUV %s of %s: %w", iuv, codIpa, err)
		}
		a, err := avvisi.FromDovuto(ente, d)
		if err != nil {
			return err
		}
		if out == "-" {
			return avvisi.Render(env.stdout, a)
		}
		if out == "" {
			out = avvisi.FileName(ente.CodiceFiscale, iuv)
		}
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		if err := avvisi.Render(f, a); err != nil {
			f.Close()
			os.Remove(out)
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%s: avviso %s, %s\n", out, avvisi.FormatNAV(a.Rate[0].NumeroAvviso), a.Rate[0].Importo)
		return nil
	})
}
