package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/admin"
	"github.com/ponte-pagopa/ponte/gateway/auth"
	"github.com/ponte-pagopa/ponte/store"
)

// openStore opens and migrates the configured database.
func openStore(ctx context.Context, cfg *Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.OpenWith(ctx, cfg.DatabaseURL, cfg.DataDir, log, store.Options{MaxOpenConns: cfg.DBMaxConns, MaxIdleConns: cfg.DBMaxConns})
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// adminCommand parses flags common to the administration commands and
// opens the store for fn.
func (env *cliEnv) adminCommand(ctx context.Context, name string, args []string, extra func(*flag.FlagSet), fn func(db *store.DB, fs *flag.FlagSet) error) error {
	fs, cfg, err := env.flags(name)
	if err != nil {
		return err
	}
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	cfg.LogLevel = "warn"
	db, err := openStore(ctx, cfg, cfg.logger())
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db, fs)
}

func cmdMigrate(ctx context.Context, env *cliEnv, args []string) error {
	return env.adminCommand(ctx, "migrate", args, nil, func(db *store.DB, _ *flag.FlagSet) error {
		fmt.Fprintf(env.stdout, "database (%s) is at the latest schema version\n", db.Dialect())
		return nil
	})
}

func cmdSeed(ctx context.Context, env *cliEnv, args []string) error {
	// The file may come before the flags.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	return env.adminCommand(ctx, "seed FILE", args, nil, func(db *store.DB, fs *flag.FlagSet) error {
		if file == "" {
			file = fs.Arg(0)
		}
		if file == "" {
			return errors.New("seed: which file? usage: ponte seed FILE")
		}
		s, err := admin.LoadSeedFile(file)
		if err != nil {
			return err
		}
		if err := admin.Apply(ctx, db, s); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "applied %d enti from %s\n", len(s.Enti), file)
		return nil
	})
}

const enteUsage = `usage:
  ponte ente add --cod-ipa COD --cf CF --denominazione NAME [--segregation-code NN] [--iban IBAN] ... [--password-stdin]
  ponte ente list
  ponte ente show COD
  ponte ente set-password COD          (reads the new password from standard input)
  ponte ente set-stato COD INSERITO|PRE-ESERCIZIO|ESERCIZIO
  ponte ente tipo-add COD --codice TARI [--descrizione D] [--disabilitato] [--cf-anonimo] [--scadenza-obbligatoria] [--importo-fisso 10.00] [--tassonomia CODE]
  ponte ente tipo-list COD
`

func cmdEnte(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, enteUsage)
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	// Positional COD first, flags after: take it out before parsing.
	var cod string
	if sub != "add" && sub != "list" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cod, args = args[0], args[1:]
	}
	needCod := func() error {
		if cod == "" {
			return fmt.Errorf("ente %s: which ente? give its codIpaEnte first", sub)
		}
		return nil
	}
	switch sub {
	case "add":
		var es admin.EnteSeed
		var aux int
		var pwStdin bool
		return env.adminCommand(ctx, "ente add", args, func(fs *flag.FlagSet) {
			fs.StringVar(&es.CodIpa, "cod-ipa", "", "codIpaEnte (required)")
			fs.StringVar(&es.CodiceFiscale, "cf", "", "codice fiscale of the ente, 11 digits (required)")
			fs.StringVar(&es.Denominazione, "denominazione", "", "name (required)")
			fs.StringVar(&es.Stato, "stato", "ESERCIZIO", "INSERITO, PRE-ESERCIZIO or ESERCIZIO")
			fs.StringVar(&es.IBAN, "iban", "", "IBAN credited")
			fs.StringVar(&es.IBANPostale, "iban-postale", "", "IBAN of a postal account")
			fs.StringVar(&es.ContoPostale, "conto-postale", "", "postal account number")
			fs.IntVar(&aux, "aux-digit", 3, "aux digit of generated IUVs")
			fs.StringVar(&es.SegregationCode, "segregation-code", "", "2-digit codice segregazione")
			fs.StringVar(&es.ApplicationCode, "application-code", "", "2-digit application code (default: the segregation code)")
			fs.StringVar(&es.Intermediario, "intermediario", "", "identificativoIntermediarioPA")
			fs.StringVar(&es.Stazione, "stazione", "", "identificativoStazioneIntermediarioPA")
			fs.StringVar(&es.RedirectURL, "url-risposta", "", "default enteSILInviaRispostaPagamentoUrl")
			fs.BoolVar(&pwStdin, "password-stdin", false, "read the SIL password from standard input")
		}, func(db *store.DB, _ *flag.FlagSet) error {
			es.AuxDigit = &aux
			if _, err := db.FindEnte(ctx, es.CodIpa); err == nil {
				return fmt.Errorf("ente %s exists already", es.CodIpa)
			}
			if pwStdin {
				pw, err := readPassword(env.stdin)
				if err != nil {
					return err
				}
				es.Password = pw
			} else {
				// MyPay's rule: an ente without password accepts requests
				// that send none. Legal, but rarely what an operator wants.
				fmt.Fprintf(env.stderr, "warning: ente %s has no SIL password; set one with 'ponte ente set-password %s'\n", es.CodIpa, es.CodIpa)
			}
			s := &admin.Seed{Enti: []admin.EnteSeed{es}}
			if err := admin.Validate(s); err != nil {
				return err
			}
			if err := admin.Apply(ctx, db, s); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "ente %s added\n", es.CodIpa)
			return nil
		})
	case "list":
		return env.adminCommand(ctx, "ente list", args, nil, func(db *store.DB, _ *flag.FlagSet) error {
			enti, err := db.ListEnti(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "COD IPA\tCODICE FISCALE\tSTATO\tSEGR.\tSTAZIONE\tPASSWORD\tDENOMINAZIONE")
			for _, e := range enti {
				pw := "set"
				if e.PasswordHash == "" {
					pw = "none"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.CodIpa, e.CodiceFiscale, e.State, e.SegregationCode, e.StationID, pw, e.Denominazione)
			}
			return tw.Flush()
		})
	case "show":
		return env.adminCommand(ctx, "ente show", args, nil, func(db *store.DB, _ *flag.FlagSet) error {
			if err := needCod(); err != nil {
				return err
			}
			e, err := findEnte(ctx, db, cod)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
			for _, kv := range [][2]string{
				{"codIpaEnte", e.CodIpa}, {"codice fiscale", e.CodiceFiscale}, {"denominazione", e.Denominazione},
				{"stato", string(e.State)}, {"IBAN", e.IBAN}, {"IBAN postale", e.IBANPostale}, {"conto postale", e.ContoPostale},
				{"aux digit", fmt.Sprint(e.AuxDigit)}, {"application code", e.ApplicationCode}, {"segregation code", e.SegregationCode},
				{"intermediario", e.IntermediaryID}, {"stazione", e.StationID}, {"URL risposta", e.RedirectURL}, {"URL inoltro esito", e.PushURL},
				{"creato", e.CreatedAt.Format(time.RFC3339)}, {"modificato", e.UpdatedAt.Format(time.RFC3339)},
			} {
				fmt.Fprintf(tw, "%s\t%s\n", kv[0], kv[1])
			}
			return tw.Flush()
		})
	case "set-password":
		return env.adminCommand(ctx, "ente set-password", args, nil, func(db *store.DB, _ *flag.FlagSet) error {
			if err := needCod(); err != nil {
				return err
			}
			e, err := findEnte(ctx, db, cod)
			if err != nil {
				return err
			}
			pw, err := readPassword(env.stdin)
			if err != nil {
				return err
			}
			if e.PasswordHash, err = auth.Hash(pw); err != nil {
				return err
			}
			if err := db.UpdateEnte(ctx, e); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "password of %s changed\n", cod)
			return nil
		})
	case "set-stato":
		return env.adminCommand(ctx, "ente set-stato", args, nil, func(db *store.DB, fs *flag.FlagSet) error {
			if err := needCod(); err != nil {
				return err
			}
			st := gateway.EnteState(fs.Arg(0))
			if !st.Valid() {
				return fmt.Errorf("stato %q: one of INSERITO, PRE-ESERCIZIO, ESERCIZIO", fs.Arg(0))
			}
			e, err := findEnte(ctx, db, cod)
			if err != nil {
				return err
			}
			e.State = st
			if err := db.UpdateEnte(ctx, e); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "ente %s is now %s\n", cod, st)
			return nil
		})
	case "tipo-add":
		var ts admin.TipoSeed
		var disabled bool
		return env.adminCommand(ctx, "ente tipo-add", args, func(fs *flag.FlagSet) {
			fs.StringVar(&ts.Codice, "codice", "", "identificativoTipoDovuto (required)")
			fs.StringVar(&ts.Descrizione, "descrizione", "", "description")
			fs.BoolVar(&disabled, "disabilitato", false, "add it disabled")
			fs.BoolVar(&ts.CFAnonimo, "cf-anonimo", false, "accept the codice fiscale ANONIMO")
			fs.BoolVar(&ts.ScadenzaObbligatoria, "scadenza-obbligatoria", false, "due date required")
			fs.StringVar(&ts.ImportoFisso, "importo-fisso", "", "fixed amount, e.g. 16.00")
			fs.StringVar(&ts.CodiceTassonomico, "tassonomia", "", "pagoPA taxonomy code")
		}, func(db *store.DB, _ *flag.FlagSet) error {
			if err := needCod(); err != nil {
				return err
			}
			e, err := findEnte(ctx, db, cod)
			if err != nil {
				return err
			}
			enabled := !disabled
			ts.Attivo = &enabled
			if err := admin.AddTipo(ctx, db, e, ts); err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "tipo dovuto %s of %s saved\n", ts.Codice, cod)
			return nil
		})
	case "tipo-list":
		return env.adminCommand(ctx, "ente tipo-list", args, nil, func(db *store.DB, _ *flag.FlagSet) error {
			if err := needCod(); err != nil {
				return err
			}
			e, err := findEnte(ctx, db, cod)
			if err != nil {
				return err
			}
			tipi, err := db.ListTipiDovuto(ctx, e.ID)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CODICE\tATTIVO\tCF ANONIMO\tSCADENZA OBBL.\tIMPORTO FISSO\tTASSONOMIA\tDESCRIZIONE")
			for _, t := range tipi {
				fixed := ""
				if t.FixedAmount > 0 {
					fixed = t.FixedAmount.String()
				}
				fmt.Fprintf(tw, "%s\t%v\t%v\t%v\t%s\t%s\t%s\n", t.Code, t.Enabled, t.AllowAnonymousCF, t.DueDateMandatory, fixed, t.TaxonomyCode, t.Description)
			}
			return tw.Flush()
		})
	}
	fmt.Fprint(env.stderr, enteUsage)
	return fmt.Errorf("ente: unknown subcommand %q", sub)
}

func findEnte(ctx context.Context, db *store.DB, cod string) (*gateway.Ente, error) {
	e, err := db.FindEnte(ctx, cod)
	if errors.Is(err, gateway.ErrNotFound) {
		return nil, fmt.Errorf("no ente %s", cod)
	}
	return e, err
}

// readPassword takes the first line of r: passwords never go on the
// command line, where ps and shell history would keep them.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimSpace(line)
	if len(pw) < 8 || len(pw) > 15 {
		return "", errors.New("the SIL password must be 8 to 15 characters (MyPay's stPassword)")
	}
	return pw, nil
}
