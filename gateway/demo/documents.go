package demo

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
)

// nsPayload is the namespace of the payload documents (qualified).
const nsPayload = "http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"

// dovutiXML is the Dovuti document, in the schema's element order.
type dovutiXML struct {
	XMLName  xml.Name `xml:"http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/ Dovuti"`
	Versione string   `xml:"versioneOggetto"`
	Pagatore struct {
		Tipo       string `xml:"identificativoUnivocoPagatore>tipoIdentificativoUnivoco"`
		Codice     string `xml:"identificativoUnivocoPagatore>codiceIdentificativoUnivoco"`
		Anagrafica string `xml:"anagraficaPagatore"`
		Email      string `xml:"e-mailPagatore,omitempty"`
	} `xml:"soggettoPagatore"`
	Versamento struct {
		Tipo    string `xml:"tipoVersamento"`
		Singolo struct {
			IUD           string `xml:"identificativoUnivocoDovuto"`
			Importo       string `xml:"importoSingoloVersamento"`
			TipoDovuto    string `xml:"identificativoTipoDovuto"`
			Causale       string `xml:"causaleVersamento"`
			DatiSpecifici string `xml:"datiSpecificiRiscossione"`
		} `xml:"datiSingoloVersamento"`
	} `xml:"datiVersamento"`
}

// payment is what the citizen asked to pay, checked.
type payment struct {
	Tipo    tipoDovuto
	Causale string
	Amount  gateway.Cents
	Name    string
	CF      string // upper case
	Email   string
	IUD     string
}

// dovutiDocument builds the Dovuti document of one payment, without an
// IUV: Ponte assigns it.
func dovutiDocument(p *payment) ([]byte, error) {
	var d dovutiXML
	d.Versione = "6.2.0"
	d.Pagatore.Tipo = "F"
	if len(p.CF) == 11 {
		d.Pagatore.Tipo = "G" // a partita IVA: a company pays
	}
	d.Pagatore.Codice = p.CF
	d.Pagatore.Anagrafica = p.Name
	d.Pagatore.Email = p.Email
	d.Versamento.Tipo = "ALL"
	s := &d.Versamento.Singolo
	s.IUD = p.IUD
	s.Importo = p.Amount.String()
	s.TipoDovuto = p.Tipo.Code
	s.Causale = p.Causale
	s.DatiSpecifici = "9/" + p.Tipo.Taxonomy + "/"
	return xml.Marshal(&d)
}

// pagatiDoc is the part of the Pagati document the portal shows.
type pagatiDoc struct {
	XMLName    xml.Name `xml:"Pagati"`
	RicevutaID string   `xml:"identificativoMessaggioRicevuta"`
	DataOra    string   `xml:"dataOraMessaggioRicevuta"`
	Attestante string   `xml:"istitutoAttestante>denominazioneAttestante"`
	Ente       string   `xml:"enteBeneficiario>denominazioneBeneficiario"`
	Pagatore   string   `xml:"soggettoPagatore>anagraficaPagatore"`
	Dati       struct {
		Esito   string `xml:"codiceEsitoPagamento"`
		Importo string `xml:"importoTotalePagato"`
		IUV     string `xml:"identificativoUnivocoVersamento"`
		CCP     string `xml:"codiceContestoPagamento"`
		Singoli []struct {
			IUD     string `xml:"identificativoUnivocoDovuto"`
			Importo string `xml:"singoloImportoPagato"`
			Esito   string `xml:"esitoSingoloPagamento"`
			Data    string `xml:"dataEsitoSingoloPagamento"`
			IUR     string `xml:"identificativoUnivocoRiscossione"`
			Causale string `xml:"causaleVersamento"`
		} `xml:"datiSingoloPagamento"`
	} `xml:"datiPagamento"`
}

// parsePagati decodes the pagati element: MyPay encodes the document
// twice, so a text that still is base64 after one pass is decoded again.
func parsePagati(text string) (*pagatiDoc, error) {
	doc, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return nil, fmt.Errorf("demo: pagati is not base64: %w", err)
	}
	if t := bytes.TrimSpace(doc); len(t) > 0 && t[0] != '<' {
		if doc, err = base64.StdEncoding.DecodeString(string(t)); err != nil {
			return nil, fmt.Errorf("demo: pagati: second base64: %w", err)
		}
	}
	var p pagatiDoc
	if err := xml.Unmarshal(doc, &p); err != nil {
		return nil, fmt.Errorf("demo: pagati document: %w", err)
	}
	if p.XMLName.Space != nsPayload {
		return nil, errors.New("demo: pagati document: not a Pagati of the payload namespace")
	}
	return &p, nil
}
