package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/flussi"
)

// exitCode is an error that ends the process with its code and no
// further message (the command already said why).
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// parseInterleaved parses flags placed before and after positional
// arguments (Go's flag package stops at the first positional one).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// cmdImport is `ponte import FILE.zip --ente CODIPA`: the engine of the
// SIL upload, run in the foreground with a progress line.
func cmdImport(ctx context.Context, env *cliEnv, args []string) error {
	fs, cfg, err := env.flags("import")
	if err != nil {
		return err
	}
	codIpa := fs.String("ente", "", "codIpaEnte the flusso belongs to (required)")
	quiet := fs.Bool("quiet", false, "no progress output")
	fs.Usage = func() {
		fmt.Fprintln(env.stderr, "usage: ponte import FILE.zip --ente CODIPA [flags]\n\nExit status: 0 every row imported, 1 some rows rejected (see the _SCARTI file), 2 the flusso was refused or failed.")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *codIpa == "" {
		fs.Usage()
		return flag.ErrHelp
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := openStore(ctx, cfg, log)
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

	// The file goes where an upload would, so the flusso is the same
	// whichever way it came.
	files := flussi.Files{Root: cfg.filesDir()}
	name := filepath.Base(pos[0])
	token := "cli-" + strings.ReplaceAll(time.Now().UTC().Format("20060102T150405.000000"), ".", "")
	rel := files.ImportUpload(ente.CodIpa, token, name)
	size, sum, err := copyIn(files, rel, pos[0], cfg.ImportMaxBytes)
	if err != nil {
		return err
	}
	fn, _ := flussi.ParseFileName(name)
	f := &gateway.ImportFlusso{EnteID: ente.ID, CodIpa: ente.CodIpa, RequestToken: token, FileName: name,
		IUF: fn.IUF, Version: fn.Version, Path: rel, MD5: sum, Size: size}
	if err := db.CreateImport(ctx, f); err != nil {
		return err
	}
	owner := flussi.NewOwner()
	if f, err = db.ClaimImportByID(ctx, f.ID, owner, cfg.FlussiLease); err != nil {
		return err
	}
	limit, _ := time.ParseInLocation(gateway.DateLayout, cfg.IUV15Limit, gateway.Rome)
	im := &flussi.Importer{Store: db, Enti: db, IUVs: db, Files: files, Limits: flussi.Limits{MaxUpload: cfg.ImportMaxBytes},
		Log: log, IUV15Limit: limit}
	start := time.Now()
	if !*quiet {
		im.Progress = progressPrinter(env.stderr, start)
	}
	if err := im.Process(ctx, f, owner); err != nil {
		return err
	}
	elapsed := time.Since(start)
	if !*quiet && isTerminal(env.stderr) {
		fmt.Fprintln(env.stderr)
	}
	fmt.Fprintf(env.stdout, "flusso %s (%s): %s\n", f.FileName, f.RequestToken, stato(f))
	fmt.Fprintf(env.stdout, "rows %d, imported %d, rejected %d, in %s (%.0f rows/s)\n",
		f.Rows, f.Imported, f.Rejected, elapsed.Round(time.Millisecond), float64(f.Rows)/elapsed.Seconds())
	for _, p := range []string{f.IUVPath, f.ScartiPath} {
		if p != "" {
			abs, _ := files.Abs(p)
			fmt.Fprintln(env.stdout, "result:", abs)
		}
	}
	switch {
	case f.State != gateway.ImportDone:
		return exitCode(2)
	case f.Rejected > 0:
		return exitCode(1)
	}
	return nil
}

func stato(f *gateway.ImportFlusso) string {
	if f.ErrorCode != "" {
		return string(f.State) + " " + f.ErrorCode
	}
	return string(f.State)
}

// copyIn copies src into the files tree at rel and returns its size and
// MD5.
func copyIn(files flussi.Files, rel, src string, max int64) (int64, string, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, "", err
	}
	defer in.Close()
	pf, err := files.Create(rel)
	if err != nil {
		return 0, "", err
	}
	defer pf.Abort()
	n, sum, err := flussi.CopySum(pf, in, max)
	if errors.Is(err, flussi.ErrTooLarge) {
		return 0, "", fmt.Errorf("%s is larger than PONTE_IMPORT_MAX_BYTES (%d)", src, max)
	}
	if err != nil {
		return 0, "", err
	}
	if err := pf.Commit(); err != nil {
		return 0, "", err
	}
	return n, sum, nil
}

// progressPrinter redraws one line on a terminal, and writes a plain line
// every few seconds otherwise (logs, CI).
func progressPrinter(w io.Writer, start time.Time) func(rows, done, total int64) {
	tty := isTerminal(w)
	var last time.Time
	return func(rows, done, total int64) {
		now := time.Now()
		if !tty && now.Sub(last) < 5*time.Second {
			return
		}
		last = now
		el := now.Sub(start).Seconds()
		rate := float64(rows) / max(el, 1e-9)
		pct, eta := 0.0, "?"
		if total > 0 && done > 0 {
			pct = 100 * float64(done) / float64(total)
			left := el * float64(total-done) / float64(done)
			eta = (time.Duration(left * float64(time.Second))).Round(time.Second).String()
		}
		if tty {
			fmt.Fprintf(w, "\r%12d rows  %9.0f rows/s  %5.1f%%  ETA %-8s", rows, rate, pct, eta)
			return
		}
		fmt.Fprintf(w, "progress rows=%d rows_per_s=%.0f percent=%.1f eta=%s\n", rows, rate, pct, eta)
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
