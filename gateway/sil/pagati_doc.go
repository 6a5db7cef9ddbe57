package sil

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	gensil "github.com/ponte-pagopa/ponte/generated/sil"
	"github.com/ponte-pagopa/ponte/generated/wire"
)

// This file maps an RT to the Pagati and PagatiConRicevuta documents, the
// way MyPay fills them from the RT columns of its carrello and the rows of
// its dovuti elaborati (PagamentiTelematiciDovutiPagatiHelper): the
// header, attestante, beneficiario and pagatore from the RT, one
// datiSingoloPagamento per RT row that has an identificativoUnivocoRiscossione,
// each with the IUD of the item in the same position.

// pagatiOf builds the PagatiConRicevuta document of a payment's receipt.
// onlyIUD, when set, keeps the row of that IUD alone (MyPay's answer by
// IUD reports one dovuto).
func pagatiOf(p *gateway.Payment, onlyIUD string) (*gensil.PagatiConRicevuta, *rpt.Receipt, error) {
	if p.Receipt == nil {
		return nil, nil, fmt.Errorf("sil: payment %d has no receipt", p.ID)
	}
	v2 := rpt.IsReceiptV2(p.Receipt.RT)
	var (
		rt  *rpt.Receipt
		err error
	)
	if v2 {
		// A modello-unico receipt, validated when it arrived.
		rt, err = rpt.DecodeTrustedRT(p.Receipt.RT)
	} else {
		rt, err = rpt.ParseRT(p.Receipt.RT)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("sil: stored RT of payment %d: %w", p.ID, err)
	}
	v := rt.Versione
	if v == "" {
		v = rpt.Versione
	}
	doc := &gensil.PagatiConRicevuta{CtPagatiConRicevuta: gensil.CtPagatiConRicevuta{
		VersioneOggetto:                 gensil.StText16(v),
		Dominio:                         gensil.CtDominio{IdentificativoDominio: gensil.StText35(rt.Dominio), IdentificativoStazioneRichiedente: gensil.StText35(rt.Stazione)},
		IdentificativoMessaggioRicevuta: gensil.StText35(rt.IdentificativoMessaggioRicevuta),
		DataOraMessaggioRicevuta:        wire.DateTimeOf(rt.DataOra.In(gateway.Rome)),
		RiferimentoMessaggioRichiesta:   gensil.StText35(rt.RiferimentoMessaggioRichiesta),
		RiferimentoDataRichiesta:        wire.DateOf(rt.RiferimentoDataRichiesta),
		IstitutoAttestante:              attestanteOf(rt.IstitutoAttestante),
		EnteBeneficiario:                beneficiarioOf(rt.EnteBeneficiario),
		SoggettoPagatore:                pagatoreOf(rt.Pagatore),
		DatiPagamento: gensil.CtDatiVersamentoPagatiConRicevuta{
			CodiceEsitoPagamento:            gensil.StCodiceEsitoPagamento(strconv.Itoa(int(rt.Esito))),
			ImportoTotalePagato:             wire.AmountOf(rt.ImportoTotalePagato),
			IdentificativoUnivocoVersamento: gensil.StText35(rt.IUV),
			CodiceContestoPagamento:         gensil.StText35(rt.CCP),
		},
	}}
	for i, sp := range rt.Payments {
		if strings.TrimSpace(sp.IUR) == "" {
			continue
		}
		iud := "n/a"
		if i < len(p.Items) && p.Items[i].IUD != "" {
			iud = p.Items[i].IUD
		}
		if onlyIUD != "" && iud != onlyIUD {
			continue
		}
		if v2 && i < len(p.Items) && p.Items[i].DatiSpecificiRiscossione != "" {
			// The receipt carries only the transfer's category; MyPay
			// reports the dovuto's own value.
			sp.DatiSpecifici = p.Items[i].DatiSpecificiRiscossione
		}
		idx := gensil.StIndice(i + 1)
		row := gensil.CtDatiSingoloPagamentoPagatiConRicevuta{
			IdentificativoUnivocoDovuto:      gensil.StText35(iud),
			SingoloImportoPagato:             wire.AmountOf(sp.SingoloImportoPagato),
			EsitoSingoloPagamento:            gensil.StText35(sp.Esito),
			DataEsitoSingoloPagamento:        wire.DateOf(sp.DataEsito),
			IdentificativoUnivocoRiscossione: gensil.StText35(sp.IUR),
			CausaleVersamento:                gensil.StText140(sp.Causale),
			DatiSpecificiRiscossione:         gensil.StDatiSpecificiRiscossione(sp.DatiSpecifici),
			IndiceDatiSingoloPagamento:       &idx,
		}
		if sp.CommissioniPSP != nil {
			fee := wire.AmountOf(*sp.CommissioniPSP)
			row.CommissioniApplicatePSP = &fee
		}
		if a := sp.Allegato; a != nil {
			row.AllegatoRicevuta = &gensil.CtAllegatoRicevuta{TipoAllegatoRicevuta: gensil.StTipoAllegatoRicevuta(a.Tipo), TestoAllegato: a.Testo}
		}
		doc.DatiPagamento.DatiSingoloPagamento = append(doc.DatiPagamento.DatiSingoloPagamento, row)
	}
	return doc, rt, nil
}

// pagatiPlain is the Pagati document: PagatiConRicevuta without indice,
// commissioni and allegato (MyPay converts one into the other).
func pagatiPlain(c *gensil.PagatiConRicevuta) *gensil.Pagati {
	d := &c.DatiPagamento
	out := &gensil.Pagati{CtPagati: gensil.CtPagati{
		VersioneOggetto:                 c.VersioneOggetto,
		Dominio:                         c.Dominio,
		IdentificativoMessaggioRicevuta: c.IdentificativoMessaggioRicevuta,
		DataOraMessaggioRicevuta:        c.DataOraMessaggioRicevuta,
		RiferimentoMessaggioRichiesta:   c.RiferimentoMessaggioRichiesta,
		RiferimentoDataRichiesta:        c.RiferimentoDataRichiesta,
		IstitutoAttestante:              c.IstitutoAttestante,
		EnteBeneficiario:                c.EnteBeneficiario,
		SoggettoPagatore:                c.SoggettoPagatore,
		DatiPagamento: gensil.CtDatiVersamentoPagati{
			CodiceEsitoPagamento:            d.CodiceEsitoPagamento,
			ImportoTotalePagato:             d.ImportoTotalePagato,
			IdentificativoUnivocoVersamento: d.IdentificativoUnivocoVersamento,
			CodiceContestoPagamento:         d.CodiceContestoPagamento,
		},
	}}
	for _, r := range d.DatiSingoloPagamento {
		out.DatiPagamento.DatiSingoloPagamento = append(out.DatiPagamento.DatiSingoloPagamento, gensil.CtDatiSingoloPagamentoPagati{
			IdentificativoUnivocoDovuto:      r.IdentificativoUnivocoDovuto,
			SingoloImportoPagato:             r.SingoloImportoPagato,
			EsitoSingoloPagamento:            r.EsitoSingoloPagamento,
			DataEsitoSingoloPagamento:        r.DataEsitoSingoloPagamento,
			IdentificativoUnivocoRiscossione: r.IdentificativoUnivocoRiscossione,
			CausaleVersamento:                r.CausaleVersamento,
			DatiSpecificiRiscossione:         r.DatiSpecificiRiscossione,
		})
	}
	return out
}

// encodePagati marshals a payload document (no XML declaration, UTF-8, not
// indented, as MyPay's JAXB_FRAGMENT), checks it against the payload
// schema and returns it base64-encoded once: the response element encodes
// it a second time, which is MyPay's double base64.
func encodePagati(doc any) ([]byte, error) {
	b, err := xml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("sil: encode pagati: %w", err)
	}
	schema, err := loadPayloadSchema()
	if err != nil {
		return nil, err
	}
	if err := schema.ValidateBytes(b); err != nil {
		return nil, fmt.Errorf("sil: pagati document not schema-valid: %w", err)
	}
	out := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
	base64.StdEncoding.Encode(out, b)
	return out, nil
}

func attestanteOf(a rpt.Attestante) gensil.CtIstitutoAttestante {
	tipo := a.Tipo
	if tipo == "" {
		tipo = "G"
	}
	return gensil.CtIstitutoAttestante{
		IdentificativoUnivocoAttestante: gensil.CtIdentificativoUnivoco{
			TipoIdentificativoUnivoco: gensil.StTipoIdentificativoUnivoco(tipo), CodiceIdentificativoUnivoco: gensil.StText35(a.Codice),
		},
		DenominazioneAttestante:  gensil.StText70(a.Denominazione),
		CodiceUnitOperAttestante: gensil.StText35(a.CodiceUnitOper),
		DenomUnitOperAttestante:  gensil.StText70(a.DenomUnitOper),
		IndirizzoAttestante:      gensil.StText70(a.Indirizzo),
		CivicoAttestante:         gensil.StText16(a.Civico),
		CapAttestante:            gensil.StText16(a.CAP),
		LocalitaAttestante:       gensil.StText35(a.Localita),
		ProvinciaAttestante:      gensil.StText35(a.Provincia),
		NazioneAttestante:        gensil.StNazione(a.Nazione),
	}
}

func beneficiarioOf(e rpt.Ente) gensil.CtEnteBeneficiario {
	return gensil.CtEnteBeneficiario{
		IdentificativoUnivocoBeneficiario: gensil.CtIdentificativoUnivocoPersonaG{
			TipoIdentificativoUnivoco: gensil.StTipoIdentificativoUnivocoPersGG, CodiceIdentificativoUnivoco: gensil.StText35(e.Codice),
		},
		DenominazioneBeneficiario:  gensil.StText70(e.Denominazione),
		CodiceUnitOperBeneficiario: gensil.StText35(e.CodiceUnitOper),
		DenomUnitOperBeneficiario:  gensil.StText70(e.DenomUnitOper),
		IndirizzoBeneficiario:      gensil.StText70(e.Indirizzo),
		CivicoBeneficiario:         gensil.StText16(e.Civico),
		CapBeneficiario:            gensil.StText16(e.CAP),
		LocalitaBeneficiario:       gensil.StText35(e.Localita),
		ProvinciaBeneficiario:      gensil.StText35(e.Provincia),
		NazioneBeneficiario:        gensil.StNazione(e.Nazione),
	}
}

func pagatoreOf(s rpt.Soggetto) gensil.CtSoggettoPagatore {
	prov := s.Provincia
	if len(prov) > 2 {
		prov = prov[:2] // MyPay truncates; the Pagati schema wants exactly 2
	} else if len(prov) < 2 {
		prov = ""
	}
	return gensil.CtSoggettoPagatore{
		IdentificativoUnivocoPagatore: gensil.CtIdentificativoUnivocoPersonaFG{
			TipoIdentificativoUnivoco: gensil.StTipoIdentificativoUnivocoPersFG(s.Tipo), CodiceIdentificativoUnivoco: gensil.StText35(s.Codice),
		},
		AnagraficaPagatore: gensil.StText70(s.Anagrafica),
		IndirizzoPagatore:  gensil.StText70(s.Indirizzo),
		CivicoPagatore:     gensil.StText16(s.Civico),
		CapPagatore:        gensil.StText16(s.CAP),
		LocalitaPagatore:   gensil.StText35(s.Localita),
		ProvinciaPagatore:  gensil.StText2(prov),
		NazionePagatore:    gensil.StNazione(s.Nazione),
		EmailPagatore:      gensil.StEMail(s.Email),
	}
}

// PagatiOf is the Pagati document of the dovuto iud of a payment with a
// receipt, base64-encoded once: the esito of MyPay's outcome push.
func PagatiOf(p *gateway.Payment, iud string) ([]byte, error) {
	doc, _, err := pagatiOf(p, iud)
	if err != nil {
		return nil, err
	}
	return encodePagati(pagatiPlain(doc))
}
