package rpt

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"unicode/utf8"

	"github.com/ponte-pagopa/ponte/gateway"
)

// MaxItems is the most datiSingoloVersamento an RPT (and datiSingoloPagamento
// an RT) may hold.
const MaxItems = 5

// NewMessageID returns an identificativoMessaggioRichiesta/Ricevuta: 32
// random hex digits (a UUID without dashes, as wisp-converter writes its
// RTs), well within stText35 and unique per day as §8.3 requires.
func NewMessageID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var (
	reAutenticazione = regexp.MustCompile(`^(CNS|USR|OTH|N/A)$`)
	reTipoVersamento = regexp.MustCompile(`^(BBT|BP|AD|CP|PO|OBEP|OTH|JIF|MYBK|PPAL)$`)
)

// Build validates r and writes its RPT. Defaults are applied to a copy:
// Versione 6.2.0, AutenticazioneSoggetto N/A, TipoVersamento BBT; each
// item's causale is put in the /RFB/ form (CausaleVersamento) and
// importoTotaleDaVersare is the sum of the items. Errors are *InvalidError
// for the request and *SchemaError for a field the schema refuses (a
// pattern: IBAN, e-mail, datiSpecificiRiscossione, …).
func Build(r *Request) ([]byte, error) {
	c, err := prepare(r)
	if err != nil {
		return nil, err
	}
	return encode("RPT", requestOut(c))
}

// prepare checks r and returns a copy with defaults and causali applied.
func prepare(r *Request) (*Request, error) {
	if r == nil {
		return nil, invalid("RPT", "request", "missing")
	}
	c := *r
	c.Items = append([]Item(nil), r.Items...)
	if c.Versione == "" {
		c.Versione = Versione
	}
	if c.AutenticazioneSoggetto == "" {
		c.AutenticazioneSoggetto = "N/A"
	}
	if c.TipoVersamento == "" {
		c.TipoVersamento = "BBT"
	}
	for _, f := range []struct {
		name, v  string
		min, max int
	}{
		{"identificativoDominio", c.Dominio, 1, 35},
		{"identificativoStazioneRichiedente", c.Stazione, 0, 35},
		{"identificativoMessaggioRichiesta", c.IdentificativoMessaggioRichiesta, 1, 35},
		{"identificativoUnivocoVersamento", c.IUV, 1, 35},
		{"codiceContestoPagamento", c.CCP, 1, 35},
		{"codiceIdentificativoUnivoco (pagatore)", c.Pagatore.Codice, 2, 16},
		{"anagraficaPagatore", c.Pagatore.Anagrafica, 1, 70},
		{"codiceIdentificativoUnivoco (beneficiario)", c.EnteBeneficiario.Codice, 2, 16},
		{"denominazioneBeneficiario", c.EnteBeneficiario.Denominazione, 1, 70},
	} {
		if n := utf8.RuneCountInString(f.v); n < f.min || n > f.max {
			return nil, invalid("RPT", f.name, "%q must be %d to %d characters", f.v, f.min, f.max)
		}
	}
	if c.Pagatore.Tipo != "F" && c.Pagatore.Tipo != "G" {
		return nil, invalid("RPT", "soggettoPagatore", "tipoIdentificativoUnivoco %q is neither F nor G", c.Pagatore.Tipo)
	}
	if v := c.Versante; v != nil && v.Tipo != "F" && v.Tipo != "G" {
		return nil, invalid("RPT", "soggettoVersante", "tipoIdentificativoUnivoco %q is neither F nor G", v.Tipo)
	}
	if !reAutenticazione.MatchString(c.AutenticazioneSoggetto) {
		return nil, invalid("RPT", "autenticazioneSoggetto", "%q is not CNS, USR, OTH or N/A", c.AutenticazioneSoggetto)
	}
	if !reTipoVersamento.MatchString(c.TipoVersamento) {
		return nil, invalid("RPT", "tipoVersamento", "%q is not a stTipoVersamento", c.TipoVersamento)
	}
	if c.TipoVersamento == "AD" && c.IBANAddebito == "" {
		return nil, invalid("RPT", "ibanAddebito", "required with tipoVersamento AD")
	}
	if c.DataOra.IsZero() {
		return nil, invalid("RPT", "dataOraMessaggioRichiesta", "missing")
	}
	if c.DataEsecuzione.IsZero() {
		return nil, invalid("RPT", "dataEsecuzionePagamento", "missing")
	}
	if n := len(c.Items); n < 1 || n > MaxItems {
		return nil, invalid("RPT", "datiSingoloVersamento", "%d versamenti, want 1 to %d", n, MaxItems)
	}
	var total gateway.Cents
	for i := range c.Items {
		it := &c.Items[i]
		if it.Amount <= 0 || it.Amount > gateway.MaxAmount {
			return nil, invalid("RPT", "importoSingoloVersamento", "versamento %d: %s is not between 0.01 and %s", i+1, it.Amount, gateway.MaxAmount)
		}
		if it.Commission < 0 || it.Commission > gateway.MaxAmount {
			return nil, invalid("RPT", "commissioneCaricoPA", "versamento %d: %s out of range", i+1, it.Commission)
		}
		if it.Bollo == nil && it.IBANAccredito == "" {
			// The node refuses it (PPT_SEMANTICA) for every non-stamp versamento.
			return nil, invalid("RPT", "ibanAccredito", "versamento %d: missing", i+1)
		}
		total += it.Amount
		it.Causale = CausaleVersamento(c.IUV, it.Amount, it.Causale)
	}
	if total > gateway.MaxAmount {
		return nil, invalid("RPT", "importoTotaleDaVersare", "%s exceeds %s", total, gateway.MaxAmount)
	}
	return &c, nil
}
