package rpt

import (
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Versione is the versioneOggetto Ponte writes (the schema's version; the
// node does not enforce a value).
const Versione = "6.2.0"

// Soggetto is a pagatore or versante.
type Soggetto struct {
	Tipo       string // F persona fisica, G persona giuridica
	Codice     string // codice fiscale / partita IVA, or ANONIMO
	Anagrafica string
	Indirizzo  string
	Civico     string
	CAP        string
	Localita   string
	Provincia  string
	Nazione    string
	Email      string
}

// Ente is the enteBeneficiario; Codice is its codice fiscale.
type Ente struct {
	Codice         string
	Denominazione  string
	CodiceUnitOper string
	DenomUnitOper  string
	Indirizzo      string
	Civico         string
	CAP            string
	Localita       string
	Provincia      string
	Nazione        string
}

// MarcaBollo is a digital stamp versamento (datiMarcaBolloDigitale).
type MarcaBollo struct {
	Tipo      string // "01"; empty means "01"
	Hash      []byte // hashDocumento, decoded
	Provincia string // provinciaResidenza
}

// Item is one datiSingoloVersamento.
type Item struct {
	Amount              gateway.Cents
	Commission          gateway.Cents // commissioneCaricoPA; 0 leaves it out
	IBANAccredito       string
	BICAccredito        string
	IBANAppoggio        string
	BICAppoggio         string
	CredenzialiPagatore string
	// Causale is the description of the versamento. Build turns it into the
	// reconciliation form /RFB/<IUV>/<importo>/TXT/<causale> (see
	// CausaleVersamento); a causale already in that form is kept.
	Causale                  string
	DatiSpecificiRiscossione string
	Bollo                    *MarcaBollo
}

// Request is one RPT.
type Request struct {
	Versione                         string // empty means Versione
	Dominio                          string // CF of the ente (identificativoDominio)
	Stazione                         string // identificativoStazioneRichiedente, optional
	IdentificativoMessaggioRichiesta string
	DataOra                          time.Time // written as Europe/Rome local time
	AutenticazioneSoggetto           string    // empty means "N/A"
	Versante                         *Soggetto
	Pagatore                         Soggetto // Pagatore.Email is e-mailPagatore
	EnteBeneficiario                 Ente
	DataEsecuzione                   time.Time // civil date, written in its own location
	TipoVersamento                   string    // empty means "BBT"
	IUV                              string
	CCP                              string
	IBANAddebito                     string
	BICAddebito                      string
	Items                            []Item
}

// Total is importoTotaleDaVersare: the sum of the items.
func (r *Request) Total() gateway.Cents {
	var t gateway.Cents
	for _, it := range r.Items {
		t += it.Amount
	}
	return t
}

// Esito is codiceEsitoPagamento.
type Esito int

const (
	EsitoEseguito           Esito = 0
	EsitoNonEseguito        Esito = 1
	EsitoParziale           Esito = 2
	EsitoDecorrenza         Esito = 3 // decorrenza termini
	EsitoDecorrenzaParziale Esito = 4
)

// Attestante is the istitutoAttestante (the PSP, or pagoPA for receipts the
// platform generates).
type Attestante struct {
	Tipo           string // G, A (ABI) or B (BIC); empty means G
	Codice         string
	Denominazione  string
	CodiceUnitOper string
	DenomUnitOper  string
	Indirizzo      string
	Civico         string
	CAP            string
	Localita       string
	Provincia      string
	Nazione        string
}

// Allegato is an allegatoRicevuta: ES original PSP outcome, BD digital stamp.
type Allegato struct {
	Tipo  string
	Testo []byte // decoded
}

// Payment is one datiSingoloPagamento.
type Payment struct {
	SingoloImportoPagato gateway.Cents
	Esito                string // esitoSingoloPagamento, optional
	DataEsito            time.Time
	IUR                  string // identificativoUnivocoRiscossione
	Causale              string
	DatiSpecifici        string
	CommissioniPSP       *gateway.Cents // commissioniApplicatePSP (0.00 allowed)
	CommissioniPA        gateway.Cents  // commissioniApplicatePA; 0 leaves it out
	Allegato             *Allegato
}

// Receipt is one RT.
type Receipt struct {
	Versione                        string
	Dominio                         string
	Stazione                        string
	IdentificativoMessaggioRicevuta string
	DataOra                         time.Time
	RiferimentoMessaggioRichiesta   string
	RiferimentoDataRichiesta        time.Time // civil date
	IstitutoAttestante              Attestante
	EnteBeneficiario                Ente
	Versante                        *Soggetto
	Pagatore                        Soggetto
	Esito                           Esito
	ImportoTotalePagato             gateway.Cents
	IUV                             string
	CCP                             string
	Payments                        []Payment
}
