// Package avvisi renders the pagoPA "avviso di pagamento" (paper payment
// notice) as an A4 PDF: one QR code per rata and, when the ente collects on
// a postal account, a Poste "Bollettino Postale PA" with its DataMatrix.
//
// The package is domain-level: it knows nothing of SOAP or the store. Money
// is gateway.Cents and is formatted only when printed.
package avvisi

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// MaxOggetto is the printed length of AVVISO.OGGETTO; longer subjects are
// truncated, not rejected.
const MaxOggetto = 90

// maxPostalAmount is the ceiling of the 10-digit amount field of the Poste
// DataMatrix (99.999.999,99 €).
const maxPostalAmount gateway.Cents = 9999999999

// ErrInvalid wraps every error returned by Validate.
var ErrInvalid = errors.New("avviso non valido")

// Avviso is one paper notice: a rata unica (len(Rate) == 1) or a plan of
// instalments, each with its own notice number and QR code.
type Avviso struct {
	Oggetto      string // AVVISO.OGGETTO, truncated to MaxOggetto runes
	Ente         EnteInfo
	Destinatario Destinatario
	Rate         []Rata
	Lingua       string // "" or "it": only Italian is rendered
}

// EnteInfo is what the notice prints about the ente creditore.
type EnteInfo struct {
	CF      string // 11 digits, the fiscal code in the QR payload
	Nome    string
	Settore string // organisational unit, optional
	Info    string // contacts, web site, optional
	CBILL   string // optional
	// ContoPostale is the postal current account number (up to 12 digits,
	// left-padded with zeros when printed). Empty means no Poste section.
	ContoPostale        string
	IntestatarioPostale string // holder of the postal account; Nome if empty
	AutorizzazionePoste string // Poste self-print authorisation line
}

// Destinatario is the debtor. CF may be empty when unknown (e.g. a
// foreigner without a fiscal code).
type Destinatario struct {
	CF        string
	Nome      string
	Indirizzo []string // printed one per line, may be empty
}

// Rata is one payable notice: NumeroAvviso is the 18-digit NAV.
type Rata struct {
	NumeroAvviso string
	Importo      gateway.Cents
	Scadenza     time.Time // zero: no due date ("Avviso senza scadenza")
}

// Postale reports whether the notice carries the Poste section.
func (a *Avviso) Postale() bool { return a.Ente.ContoPostale != "" }

// Totale is the sum of all rate.
func (a *Avviso) Totale() gateway.Cents {
	var t gateway.Cents
	for _, r := range a.Rate {
		t += r.Importo
	}
	return t
}

// Validate lists every problem found, wrapped in ErrInvalid, or returns nil.
func (a *Avviso) Validate() error {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	if strings.TrimSpace(a.Oggetto) == "" {
		add("oggetto vuoto")
	}
	if !isDigits(a.Ente.CF, 11) {
		add("codice fiscale ente %q: servono 11 cifre", a.Ente.CF)
	}
	if strings.TrimSpace(a.Ente.Nome) == "" {
		add("nome ente vuoto")
	}
	if c := a.Ente.ContoPostale; c != "" && (len(c) > 12 || !isDigits(c, len(c))) {
		add("conto postale %q: al massimo 12 cifre", c)
	}
	if cf := a.Destinatario.CF; cf != "" && (len(cf) > 16 || !isAlnum(cf)) {
		add("codice fiscale destinatario %q: al massimo 16 lettere o cifre", cf)
	}
	if strings.TrimSpace(a.Destinatario.Nome) == "" {
		add("nome destinatario vuoto")
	}
	if a.Lingua != "" && a.Lingua != "it" {
		add("lingua %q non supportata (solo italiano)", a.Lingua)
	}
	if len(a.Rate) == 0 {
		add("nessuna rata")
	}
	seen := make(map[string]int, len(a.Rate))
	for i, r := range a.Rate {
		n := i + 1
		if !isDigits(r.NumeroAvviso, 18) {
			add("rata %d: numero avviso %q: servono 18 cifre", n, r.NumeroAvviso)
		} else if j, dup := seen[r.NumeroAvviso]; dup {
			add("rata %d: numero avviso %s già usato dalla rata %d", n, r.NumeroAvviso, j)
		} else {
			seen[r.NumeroAvviso] = n
		}
		switch {
		case r.Importo <= 0:
			add("rata %d: importo %d centesimi: deve essere positivo", n, r.Importo)
		case r.Importo > gateway.MaxAmount:
			add("rata %d: importo %d centesimi oltre il massimo", n, r.Importo)
		case a.Postale() && r.Importo > maxPostalAmount:
			add("rata %d: importo %d centesimi oltre il massimo del bollettino postale", n, r.Importo)
		}
	}
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(p, "; "))
}

func isDigits(s string, n int) bool {
	if len(s) != n || n == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
