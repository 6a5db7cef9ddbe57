package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/flussi"
)

// cmdExport is `ponte export --ente CODIPA --from … --to …`: the engine of
// paaSILPrenotaExportFlusso, run in the foreground into a local zip.
func cmdExport(ctx context.Context, env *cliEnv, args []string) error {
	fs, cfg, err := env.flags("export")
	if err != nil {
		return err
	}
	codIpa := fs.String("ente", "", "codIpaEnte (required)")
	from := fs.String("from", "", "first payment day, yyyy-mm-dd (required)")
	to := fs.String("to", "", "last payment day, yyyy-mm-dd (default: --from)")
	ricevuta := fs.Bool("ricevuta", false, "add the receipt columns")
	versione := fs.String("versione", "1.3", "versioneTracciato: 1.0, 1.1, 1.2 or 1.3")
	tipo := fs.String("tipo", "", "only this tipo dovuto")
	out := fs.String("o", "", "write the zip here (default: the files directory)")
	fs.Usage = func() {
		fmt.Fprintln(env.stderr, "usage: ponte export --ente CODIPA --from YYYY-MM-DD [--to YYYY-MM-DD] [--ricevuta] [-o FILE.zip] [flags]")
		fs.PrintDefaults()
	}
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if *to == "" {
		*to = *from
	}
	f := &gateway.ExportFlusso{Kind: gateway.ExportPagati, Ricevuta: *ricevuta, Version: *versione, TipoDovuto: *tipo}
	var perr error
	if f.From, perr = time.ParseInLocation(gateway.DateLayout, *from, gateway.Rome); perr != nil || *codIpa == "" {
		fs.Usage()
		return flag.ErrHelp
	}
	if f.To, err = time.ParseInLocation(gateway.DateLayout, *to, gateway.Rome); err != nil || f.To.Before(f.From) {
		return fmt.Errorf("--to %q: a day not before --from", *to)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer db.Close()
	ente, err := db.FindEnte(ctx, *codIpa)
	if errors.Is(err, gateway.ErrNotFound) {
		return fmt.Errorf("ente %s not found", *codIpa)
	} else if err != nil {
		return err
	}
	f.EnteID, f.CodIpa = ente.ID, ente.CodIpa
	now := time.Now()
	f.ID = now.Unix() // names the file, as a booked export's id does
	files := flussi.Files{Root: cfg.filesDir()}
	start := time.Now()
	if err := flussi.Export(ctx, db, files, f, now); err != nil {
		return err
	}
	took := time.Since(start)
	if f.Path == "" {
		fmt.Fprintf(env.stdout, "no paid dovuti between %s and %s (%s)\n", *from, *to, gateway.ExportEmpty)
		return nil
	}
	path, err := files.Abs(f.Path)
	if err != nil {
		return err
	}
	if *out != "" {
		if err := moveFile(path, *out); err != nil {
			return err
		}
		path = *out
	}
	fmt.Fprintf(env.stdout, "exported %d rows in %s (%.0f rows/s): %s\n", f.Rows, took.Round(time.Millisecond), float64(f.Rows)/took.Seconds(), path)
	return nil
}

// moveFile renames src to dst, copying across file systems.
func moveFile(src, dst string) error {
	if os.Rename(src, dst) == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	o, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return err
	}
	if err := o.Close(); err != nil {
		return err
	}
	return os.Remove(src)
}
