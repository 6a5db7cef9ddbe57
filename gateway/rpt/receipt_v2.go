package rpt

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/generated/pafornode"
)

// ReceiptRoot is the root element of a modello-unico receipt as Ponte
// stores it: the receipt element of paSendRT(V2), in no namespace, the
// form MyPay hands back in the rt field (mypay-sil §2.5).
const ReceiptRoot = "receipt"

// IsReceiptV2 reports whether a stored document is a modello-unico
// receipt rather than an RT.
func IsReceiptV2(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	if bytes.HasPrefix(b, []byte("<?xml")) {
		if i := bytes.Index(b, []byte("?>")); i >= 0 {
			b = bytes.TrimLeft(b[i+2:], " \t\r\n")
		}
	}
	return bytes.HasPrefix(b, []byte("<"+ReceiptRoot+">")) || bytes.HasPrefix(b, []byte("<"+ReceiptRoot+" "))
}

// storedReceipt is the stored form: paSendRTV2's receipt under a bare root.
type storedReceipt struct {
	XMLName xml.Name `xml:"receipt"`
	pafornode.CtReceiptV2
}

// EncodeReceiptV2 writes r as Ponte stores it. The bytes depend only on
// the receipt's content, so the node sending the same receipt again, with
// other prefixes or spacing, stores the same document (the store's
// duplicate check hashes it).
func EncodeReceiptV2(r *pafornode.CtReceiptV2) ([]byte, error) {
	b, err := xml.Marshal(storedReceipt{CtReceiptV2: *r})
	if err != nil {
		return nil, fmt.Errorf("rpt: encode receipt: %w", err)
	}
	return b, nil
}

// ReceiptV2 maps a modello-unico receipt onto the RT form the SIL answers
// and exports are built from, the way MyPay fills its Pagati from a
// paSendRT receipt (mypay-sil §3.4): the receiptId is at once the
// identificativoMessaggioRicevuta, the codiceContestoPagamento and every
// identificativoUnivocoRiscossione; the PSP is the attestante (tipo B);
// each transfer of the notice's own ente is one datiSingoloPagamento, in
// transfer order, with datiSpecificiRiscossione 9/<transferCategory>/.
// Transfers to other enti (a secondary beneficiary) are theirs to report.
func ReceiptV2(r *pafornode.CtReceiptV2, loc *time.Location) (*Receipt, error) {
	id := truncate35(r.ReceiptId)
	if id == "" {
		return nil, fmt.Errorf("rpt: receipt without receiptId")
	}
	paid := time.Time{}
	if r.PaymentDateTime != "" {
		t, err := r.PaymentDateTime.Time(loc)
		if err != nil {
			return nil, fmt.Errorf("rpt: receipt %s: paymentDateTime: %w", id, err)
		}
		paid = t
	}
	applied := paid
	if r.ApplicationDate != "" {
		t, err := r.ApplicationDate.Time(loc)
		if err != nil {
			return nil, fmt.Errorf("rpt: receipt %s: applicationDate: %w", id, err)
		}
		applied = t
	}
	out := &Receipt{
		Versione:                        Versione,
		Dominio:                         string(r.FiscalCode),
		IdentificativoMessaggioRicevuta: id,
		DataOra:                         paid,
		RiferimentoMessaggioRichiesta:   id,
		RiferimentoDataRichiesta:        civil(applied),
		IstitutoAttestante: Attestante{
			Tipo: "B", Codice: string(r.IdPSP), Denominazione: string(r.PSPCompanyName),
		},
		EnteBeneficiario:    Ente{Codice: string(r.FiscalCode), Denominazione: string(r.CompanyName)},
		Pagatore:            soggettoOf(r.Debtor),
		Esito:               EsitoEseguito,
		ImportoTotalePagato: r.PaymentAmount.Cents(),
		IUV:                 string(r.CreditorReferenceId),
		CCP:                 id,
	}
	if r.Outcome != "OK" {
		out.Esito = EsitoNonEseguito
	}
	if r.Payer != nil {
		v := soggettoOf(*r.Payer)
		out.Versante = &v
	}
	for _, t := range r.TransferList.Transfer {
		if string(t.FiscalCodePA) != string(r.FiscalCode) {
			continue
		}
		p := Payment{
			SingoloImportoPagato: t.TransferAmount.Cents(),
			Esito:                "0",
			DataEsito:            civil(paid),
			IUR:                  id,
			Causale:              string(t.RemittanceInformation),
			DatiSpecifici:        "9/" + string(t.TransferCategory) + "/",
		}
		if out.Esito != EsitoEseguito {
			p.Esito, p.SingoloImportoPagato = "1", 0
		}
		if len(out.Payments) == 0 && r.Fee != nil {
			fee := r.Fee.Cents()
			p.CommissioniPSP = &fee
		}
		out.Payments = append(out.Payments, p)
	}
	return out, nil
}

// decodeStoredV2 is DecodeTrustedRT for a stored modello-unico receipt.
func decodeStoredV2(b []byte) (*Receipt, error) {
	var s storedReceipt
	if err := xml.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("rpt: decode stored receipt: %w", err)
	}
	return ReceiptV2(&s.CtReceiptV2, gateway.Rome)
}

// soggettoOf maps a paForNode subject (debtor or payer).
func soggettoOf(s pafornode.CtSubject) Soggetto {
	return Soggetto{
		Tipo:       string(s.UniqueIdentifier.EntityUniqueIdentifierType),
		Codice:     string(s.UniqueIdentifier.EntityUniqueIdentifierValue),
		Anagrafica: string(s.FullName),
		Indirizzo:  string(s.StreetName),
		Civico:     string(s.CivicNumber),
		CAP:        string(s.PostalCode),
		Localita:   string(s.City),
		Provincia:  string(s.StateProvinceRegion),
		Nazione:    string(s.Country),
		Email:      string(s.Email),
	}
}

// civil is t's calendar date: midnight in Rome, as wire dates are read.
func civil(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.In(gateway.Rome).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, gateway.Rome)
}

// truncate35 keeps an identifier within stText35.
func truncate35(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 35 {
		return s[:35]
	}
	return s
}
