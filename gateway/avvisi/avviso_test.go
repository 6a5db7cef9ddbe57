package avvisi

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

func rataUnica() *Avviso {
	return &Avviso{
		Oggetto: goldenCaus,
		Ente: EnteInfo{
			CF: goldenCF, Nome: "Comune di Città di Prova", Settore: "Servizio Tributi e Entrate",
			Info: "www.comune.prova.it · tributi@comune.prova.it · 0123 456789", CBILL: "AAAAAAA",
			ContoPostale: goldenConto, IntestatarioPostale: "Comune di Città di Prova - Servizio Tesoreria",
			AutorizzazionePoste: "AUT. 00/0 XX/00 DEL 01/01/2020",
		},
		Destinatario: Destinatario{
			CF: goldenDebCF, Nome: goldenDebNom,
			Indirizzo: []string{"Via Roma 1", "00100 Roma (RM)"},
		},
		Rate: []Rata{{NumeroAvviso: goldenNAV, Importo: goldenAmount, Scadenza: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)}},
	}
}

func treRate() *Avviso {
	a := rataUnica()
	a.Oggetto = "Tassa sui rifiuti (TARI) 2026, utenza domestica di via Roma 1: acconto e saldo in tre rate"
	a.Ente.ContoPostale = ""
	a.Destinatario.Nome = "Niccolò Àlvarez Dell'Acqua"
	a.Rate = []Rata{
		{NumeroAvviso: "301000000000000144", Importo: 50000, Scadenza: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)},
		{NumeroAvviso: "301000000000000245", Importo: 45050, Scadenza: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)},
		{NumeroAvviso: "301000000000000346", Importo: 1},
	}
	return a
}

func TestValidate(t *testing.T) {
	if err := rataUnica().Validate(); err != nil {
		t.Fatalf("valid rata unica: %v", err)
	}
	if err := treRate().Validate(); err != nil {
		t.Fatalf("valid rate: %v", err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(a *Avviso)
		want   string
	}{
		{"nav short", func(a *Avviso) { a.Rate[0].NumeroAvviso = "47000000880099905" }, "rata 1: numero avviso"},
		{"nav letters", func(a *Avviso) { a.Rate[0].NumeroAvviso = "47000000880099905X" }, "servono 18 cifre"},
		{"nav dup", func(a *Avviso) { a.Rate = append(a.Rate, a.Rate[0]) }, "già usato dalla rata 1"},
		{"cf ente short", func(a *Avviso) { a.Ente.CF = "9999900001" }, "codice fiscale ente"},
		{"cf ente personal", func(a *Avviso) { a.Ente.CF = goldenDebCF }, "codice fiscale ente"},
		{"amount zero", func(a *Avviso) { a.Rate[0].Importo = 0 }, "deve essere positivo"},
		{"amount negative", func(a *Avviso) { a.Rate[0].Importo = -5 }, "deve essere positivo"},
		{"amount huge", func(a *Avviso) { a.Rate[0].Importo = gateway.MaxAmount + 1 }, "oltre il massimo"},
		{"amount postal", func(a *Avviso) { a.Rate[0].Importo = 10000000000 }, "bollettino postale"},
		{"no rate", func(a *Avviso) { a.Rate = nil }, "nessuna rata"},
		{"conto", func(a *Avviso) { a.Ente.ContoPostale = "1234567890123" }, "conto postale"},
		{"cf debitore", func(a *Avviso) { a.Destinatario.CF = "RSS MRA" }, "codice fiscale destinatario"},
		{"oggetto", func(a *Avviso) { a.Oggetto = "  " }, "oggetto vuoto"},
		{"lingua", func(a *Avviso) { a.Lingua = "de" }, "lingua"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := rataUnica()
			tc.mutate(a)
			err := a.Validate()
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want ErrInvalid containing %q", err, tc.want)
			}
			if rerr := Render(new(strings.Builder), a); !errors.Is(rerr, ErrInvalid) {
				t.Fatalf("Render accepted an invalid avviso: %v", rerr)
			}
		})
	}
	// Every problem is listed, not only the first.
	a := rataUnica()
	a.Ente.CF, a.Rate[0].Importo = "1", 0
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "codice fiscale ente") || !strings.Contains(err.Error(), "positivo") {
		t.Fatalf("Validate() = %v, want both problems", err)
	}
}

func FuzzValidate(f *testing.F) {
	f.Add(goldenNAV, goldenCF, int64(150000), "")
	f.Add("47000000880099905", "9999900001", int64(0), "12")
	f.Fuzz(func(t *testing.T, nav, cf string, amount int64, conto string) {
		a := rataUnica()
		a.Rate[0].NumeroAvviso, a.Ente.CF, a.Rate[0].Importo, a.Ente.ContoPostale = nav, cf, gateway.Cents(amount), conto
		err := a.Validate()
		ok := isDigits(nav, 18) && isDigits(cf, 11) && amount > 0 && amount <= int64(gateway.MaxAmount) &&
			(conto == "" || len(conto) <= 12 && isDigits(conto, len(conto)) && amount <= int64(maxPostalAmount))
		if (err == nil) != ok {
			t.Fatalf("Validate(nav=%q cf=%q amount=%d conto=%q) = %v, want ok=%v", nav, cf, amount, conto, err, ok)
		}
	})
}
