package sil

import "github.com/ponte-pagopa/ponte/gateway"

// The types below are what the operations read from the wire: plain,
// trimmed strings and cents, produced by mapping.go from the generated
// types. "present" flags keep MyPay's null-versus-empty distinction where a
// faultString shows it.

// payer is a soggettoPagatore.
type payer struct {
	Type     string // F or G
	ID       string // codiceIdentificativoUnivoco as sent
	Name     string
	Address  string
	Civic    string
	CAP      string
	Locality string
	Province string
	Nation   string
	Email    string
}

// versamento is the Versamento document of paaSILImportaDovuto.
type versamento struct {
	Azione         string
	Payer          *payer
	DueDate        string // dataEsecuzionePagamento, DateLayout or ""
	TipoVersamento string
	IUV            string
	IUVPresent     bool
	IUD            string
	IUDPresent     bool
	Amount         gateway.Cents
	Commission     gateway.Cents
	TipoDovuto     string
	TipoPresent    bool
	Causale        string
	DatiSpecifici  string
	Bilancio       *gateway.Bilancio
}

// dovutiDoc is the Dovuti document of paaSILInviaDovuti and friends.
type dovutiDoc struct {
	Payer          payer
	TipoVersamento string
	IUV            string
	Items          []dovutoItem
}

// dovutoItem is one datiSingoloVersamento of a Dovuti document.
type dovutoItem struct {
	IUD           string
	Amount        gateway.Cents
	Commission    gateway.Cents
	TipoDovuto    string
	Causale       string
	DatiSpecifici string
	MarcaBollo    *marcaBollo
	Bilancio      *gateway.Bilancio
}

// marcaBollo is datiMarcaBolloDigitale.
type marcaBollo struct {
	TipoBollo          string
	HashDocumento      string
	ProvinciaResidenza string
}

// secondario is the DovutiEntiSecondari document (one secondary ente).
type secondario = gateway.SecondaryBeneficiary
