// Command ponte is the Ponte gateway: the MyPay-compatible SIL SOAP service
// in front of pagoPA, and its administration commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `ponte — pagoPA gateway with MyPay's SIL contract

Usage:
  ponte serve [flags]              run the gateway (--demo seeds ENTE_DEMO)
  ponte migrate [flags]            apply database migrations and exit
  ponte ente add|list|show|set-password|set-stato|tipo-add|tipo-list ...
                                   manage the ente registry
  ponte seed FILE [flags]          apply a YAML ente registry file
  ponte journal search|purge ...   read or purge the giornale degli eventi
  ponte sim --demo|--registry FILE run the pagoPA node simulator on its own
  ponte import FILE.zip --ente CODIPA
                                   import a flusso of dovuti (MyPay CSV 1_0–1_4)
  ponte payments show|retry-rt|expire --id-session ID | --ente CODIPA --iuv IUV|--iud IUD
                                   carts, RPTs, receipts and recovery attempts
  ponte avviso --ente CODIPA --iuv IUV [-o FILE]
                                   print the avviso PDF of a dovuto
  ponte replay --ente CODIPA [--iuv IUV] [--from DAY] [--to DAY]
                                   push the selected payment outcomes to the ente again
  ponte export --ente CODIPA --from DAY [--to DAY] [--ricevuta]
                                   export the paid dovuti (MyPay CSV 1.0–1.3)

Run 'ponte COMMAND -h' for the flags of a command. Every flag also has a
PONTE_* environment variable, shown in its help.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	var code exitCode
	if errors.As(err, &code) {
		os.Exit(int(code))
	}
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "ponte:", err)
		}
		os.Exit(2)
	}
}

// run dispatches a command line; main is only its wiring to the process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	env := &cliEnv{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, env, args[1:])
	case "migrate":
		return cmdMigrate(ctx, env, args[1:])
	case "ente":
		return cmdEnte(ctx, env, args[1:])
	case "seed":
		return cmdSeed(ctx, env, args[1:])
	case "journal":
		return cmdJournal(ctx, env, args[1:])
	case "sim":
		return cmdSim(ctx, env, args[1:])
	case "import":
		return cmdImport(ctx, env, args[1:])
	case "export":
		return cmdExport(ctx, env, args[1:])
	case "payments":
		return cmdPayments(ctx, env, args[1:])
	case "avviso":
		return cmdAvviso(ctx, env, args[1:])
	case "replay":
		return cmdReplay(ctx, env, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// cliEnv is the process surroundings a command may use, so tests can run
// commands in-process.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// flags returns a FlagSet bound to a fresh Config.
func (env *cliEnv) flags(name string) (*flag.FlagSet, *Config, error) {
	fs := flag.NewFlagSet("ponte "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	cfg := DefaultConfig()
	err := cfg.bind(fs, env.getenv)
	return fs, &cfg, err
}
