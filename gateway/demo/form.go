package demo

import (
	"crypto/rand"
	"encoding/hex"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ponte-pagopa/ponte/gateway"
)

// tipoDovuto is one of the demo ente's tipi dovuto (admin.DemoSeed).
type tipoDovuto struct {
	Code     string
	Label    string
	Taxonomy string // codice tassonomico, for datiSpecificiRiscossione
	Causale  string // suggested causale
}

var tipi = []tipoDovuto{
	{Code: "TARI", Label: "TARI – Tassa sui rifiuti", Taxonomy: "0101100IM", Causale: "TARI 2025 rata unica"},
	{Code: "MENSA", Label: "Mensa – Refezione scolastica", Taxonomy: "0201102IM", Causale: "Mensa scolastica, ricarica"},
}

func tipoByCode(code string) (tipoDovuto, bool) {
	for _, t := range tipi {
		if t.Code == code {
			return t, true
		}
	}
	return tipoDovuto{}, false
}

// formValues are the fields as typed, to show them again.
type formValues struct {
	Tipo, Causale, Importo, Nome, CF, Email string
}

// Field limits: the causale travels on in the RPT (140 characters), the
// payer's name in a 70-character field.
const (
	maxCausale = 140
	maxNome    = 70
	maxEmail   = 256
)

// check validates the form the way a gestionale does before calling the
// SIL; what only Ponte can say (a wrong codice fiscale, say) comes back as
// a fault. Errors are keyed by field id.
func (v formValues) check() (*payment, map[string]string) {
	errs := map[string]string{}
	p := &payment{}
	t, ok := tipoByCode(v.Tipo)
	if !ok {
		errs["tipo"] = "Scegli che cosa vuoi pagare."
	}
	p.Tipo = t
	p.Causale = strings.Join(strings.Fields(v.Causale), " ")
	switch {
	case p.Causale == "":
		errs["causale"] = "Scrivi la causale del pagamento."
	case utf8.RuneCountInString(p.Causale) > maxCausale:
		errs["causale"] = "La causale può avere al massimo 140 caratteri."
	}
	amount, ok := parseEuro(v.Importo)
	switch {
	case !ok:
		errs["importo"] = "Scrivi l'importo in euro, per esempio 25,50."
	case amount <= 0:
		errs["importo"] = "L'importo deve essere maggiore di zero."
	case amount > gateway.MaxAmount:
		errs["importo"] = "L'importo è troppo alto."
	}
	p.Amount = amount
	p.Name = strings.Join(strings.Fields(v.Nome), " ")
	switch {
	case p.Name == "":
		errs["nome"] = "Scrivi nome e cognome di chi paga."
	case utf8.RuneCountInString(p.Name) > maxNome:
		errs["nome"] = "Nome e cognome possono avere al massimo 70 caratteri."
	}
	p.CF = strings.ToUpper(strings.TrimSpace(v.CF))
	if n := len(p.CF); n != 16 && n != 11 {
		errs["cf"] = "Il codice fiscale ha 16 caratteri (11 cifre per una partita IVA)."
	}
	p.Email = strings.TrimSpace(v.Email)
	if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email || len(p.Email) > maxEmail {
		errs["email"] = "Scrivi un indirizzo e-mail valido, per esempio nome@esempio.it."
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return p, nil
}

// parseEuro reads an amount typed by a person: "25", "25,5", "25,50",
// "1.234,56", "25.50", with or without "€".
func parseEuro(s string) (gateway.Cents, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	s = strings.TrimSpace(strings.TrimSuffix(s, "€"))
	if strings.Contains(s, ",") {
		// Italian: dots group thousands, the comma separates decimals.
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	}
	units, dec, _ := strings.Cut(s, ".")
	if units == "" || len(units) > 12 || len(dec) > 2 || !digits(units) || !digits(dec) {
		return 0, false
	}
	dec = (dec + "00")[:2]
	n, err := strconv.ParseInt(units+dec, 10, 64)
	if err != nil {
		return 0, false
	}
	return gateway.Cents(n), true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// newIUD makes the gestionale's own identifier of a dovuto: unique, and
// never starting with 000 (MyPay refuses those).
func newIUD(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "DEMO-" + now.Format("20060102150405") + "-" + hex.EncodeToString(b[:])
}

// formatEuro writes an amount the Italian way: "€ 1.234,56".
func formatEuro(c gateway.Cents) string {
	units := strconv.FormatInt(int64(c/100), 10)
	var b strings.Builder
	b.WriteString("€ ")
	for i, d := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	b.WriteByte(',')
	b.WriteString(strconv.FormatInt(int64(c%100)/10, 10) + strconv.FormatInt(int64(c%10), 10))
	return b.String()
}
