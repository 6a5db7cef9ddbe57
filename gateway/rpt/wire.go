package rpt

import (
	"fmt"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/generated/rptrt"
	"github.com/ponte-pagopa/ponte/generated/wire"
)

// Explicit mappings between the plain types and generated/rptrt. Nothing
// here validates: Build and the parsers do.

func dateTimeOut(t time.Time) rptrt.StISODateTime {
	return wire.DateTimeOf(t.In(gateway.Rome))
}

func dateOut(t time.Time) rptrt.StISODate { return rptrt.StISODate(t.Format(gateway.DateLayout)) }

func amountPtr(c gateway.Cents) *wire.Amount {
	if c == 0 {
		return nil
	}
	a := wire.AmountOf(c)
	return &a
}

func soggettoVersanteOut(s *Soggetto) *rptrt.CtSoggettoVersante {
	if s == nil {
		return nil
	}
	return &rptrt.CtSoggettoVersante{
		IdentificativoUnivocoVersante: rptrt.CtIdentificativoUnivocoPersonaFG{
			TipoIdentificativoUnivoco:   rptrt.StTipoIdentificativoUnivocoPersFG(s.Tipo),
			CodiceIdentificativoUnivoco: rptrt.StCodiceIdentificativoUnivoco(s.Codice),
		},
		AnagraficaVersante: rptrt.StText70(s.Anagrafica),
		IndirizzoVersante:  rptrt.StText70(s.Indirizzo),
		CivicoVersante:     rptrt.StText16(s.Civico),
		CapVersante:        rptrt.StText16(s.CAP),
		LocalitaVersante:   rptrt.StText35(s.Localita),
		ProvinciaVersante:  rptrt.StText35(s.Provincia),
		NazioneVersante:    rptrt.StNazioneProvincia(s.Nazione),
		EmailVersante:      rptrt.StEMail(s.Email),
	}
}

func soggettoVersanteIn(v *rptrt.CtSoggettoVersante) *Soggetto {
	if v == nil {
		return nil
	}
	return &Soggetto{
		Tipo:       string(v.IdentificativoUnivocoVersante.TipoIdentificativoUnivoco),
		Codice:     string(v.IdentificativoUnivocoVersante.CodiceIdentificativoUnivoco),
		Anagrafica: string(v.AnagraficaVersante),
		Indirizzo:  string(v.IndirizzoVersante),
		Civico:     string(v.CivicoVersante),
		CAP:        string(v.CapVersante),
		Localita:   string(v.LocalitaVersante),
		Provincia:  string(v.ProvinciaVersante),
		Nazione:    string(v.NazioneVersante),
		Email:      string(v.EmailVersante),
	}
}

func soggettoPagatoreOut(s Soggetto) rptrt.CtSoggettoPagatore {
	return rptrt.CtSoggettoPagatore{
		IdentificativoUnivocoPagatore: rptrt.CtIdentificativoUnivocoPersonaFG{
			TipoIdentificativoUnivoco:   rptrt.StTipoIdentificativoUnivocoPersFG(s.Tipo),
			CodiceIdentificativoUnivoco: rptrt.StCodiceIdentificativoUnivoco(s.Codice),
		},
		AnagraficaPagatore: rptrt.StText70(s.Anagrafica),
		IndirizzoPagatore:  rptrt.StText70(s.Indirizzo),
		CivicoPagatore:     rptrt.StText16(s.Civico),
		CapPagatore:        rptrt.StText16(s.CAP),
		LocalitaPagatore:   rptrt.StText35(s.Localita),
		ProvinciaPagatore:  rptrt.StText35(s.Provincia),
		NazionePagatore:    rptrt.StNazioneProvincia(s.Nazione),
		EmailPagatore:      rptrt.StEMail(s.Email),
	}
}

func soggettoPagatoreIn(p rptrt.CtSoggettoPagatore) Soggetto {
	return Soggetto{
		Tipo:       string(p.IdentificativoUnivocoPagatore.TipoIdentificativoUnivoco),
		Codice:     string(p.IdentificativoUnivocoPagatore.CodiceIdentificativoUnivoco),
		Anagrafica: string(p.AnagraficaPagatore),
		Indirizzo:  string(p.IndirizzoPagatore),
		Civico:     string(p.CivicoPagatore),
		CAP:        string(p.CapPagatore),
		Localita:   string(p.LocalitaPagatore),
		Provincia:  string(p.ProvinciaPagatore),
		Nazione:    string(p.NazionePagatore),
		Email:      string(p.EmailPagatore),
	}
}

func enteOut(e Ente) rptrt.CtEnteBeneficiario {
	return rptrt.CtEnteBeneficiario{
		IdentificativoUnivocoBeneficiario: rptrt.CtIdentificativoUnivocoPersonaG{
			TipoIdentificativoUnivoco:   rptrt.StTipoIdentificativoUnivocoPersGG,
			CodiceIdentificativoUnivoco: rptrt.StCodiceIdentificativoUnivoco(e.Codice),
		},
		DenominazioneBeneficiario:  rptrt.StText70(e.Denominazione),
		CodiceUnitOperBeneficiario: rptrt.StText35(e.CodiceUnitOper),
		DenomUnitOperBeneficiario:  rptrt.StText70(e.DenomUnitOper),
		IndirizzoBeneficiario:      rptrt.StText70(e.Indirizzo),
		CivicoBeneficiario:         rptrt.StText16(e.Civico),
		CapBeneficiario:            rptrt.StText16(e.CAP),
		LocalitaBeneficiario:       rptrt.StText35(e.Localita),
		ProvinciaBeneficiario:      rptrt.StText35(e.Provincia),
		NazioneBeneficiario:        rptrt.StNazioneProvincia(e.Nazione),
	}
}

func enteIn(e rptrt.CtEnteBeneficiario) Ente {
	return Ente{
		Codice:         string(e.IdentificativoUnivocoBeneficiario.CodiceIdentificativoUnivoco),
		Denominazione:  string(e.DenominazioneBeneficiario),
		CodiceUnitOper: string(e.CodiceUnitOperBeneficiario),
		DenomUnitOper:  string(e.DenomUnitOperBeneficiario),
		Indirizzo:      string(e.IndirizzoBeneficiario),
		Civico:         string(e.CivicoBeneficiario),
		CAP:            string(e.CapBeneficiario),
		Localita:       string(e.LocalitaBeneficiario),
		Provincia:      string(e.ProvinciaBeneficiario),
		Nazione:        string(e.NazioneBeneficiario),
	}
}

func attestanteOut(a Attestante) rptrt.CtIstitutoAttestante {
	tipo := a.Tipo
	if tipo == "" {
		tipo = "G"
	}
	return rptrt.CtIstitutoAttestante{
		IdentificativoUnivocoAttestante: rptrt.CtIdentificativoUnivoco{
			TipoIdentificativoUnivoco:   rptrt.StTipoIdentificativoUnivoco(tipo),
			CodiceIdentificativoUnivoco: rptrt.StCodiceIdentificativoUnivoco(a.Codice),
		},
		DenominazioneAttestante:  rptrt.StText70(a.Denominazione),
		CodiceUnitOperAttestante: rptrt.StText35(a.CodiceUnitOper),
		DenomUnitOperAttestante:  rptrt.StText70(a.DenomUnitOper),
		IndirizzoAttestante:      rptrt.StText70(a.Indirizzo),
		CivicoAttestante:         rptrt.StText16(a.Civico),
		CapAttestante:            rptrt.StText16(a.CAP),
		LocalitaAttestante:       rptrt.StText35(a.Localita),
		ProvinciaAttestante:      rptrt.StText35(a.Provincia),
		NazioneAttestante:        rptrt.StNazioneProvincia(a.Nazione),
	}
}

func attestanteIn(a rptrt.CtIstitutoAttestante) Attestante {
	return Attestante{
		Tipo:           string(a.IdentificativoUnivocoAttestante.TipoIdentificativoUnivoco),
		Codice:         string(a.IdentificativoUnivocoAttestante.CodiceIdentificativoUnivoco),
		Denominazione:  string(a.DenominazioneAttestante),
		CodiceUnitOper: string(a.CodiceUnitOperAttestante),
		DenomUnitOper:  string(a.DenomUnitOperAttestante),
		Indirizzo:      string(a.IndirizzoAttestante),
		Civico:         string(a.CivicoAttestante),
		CAP:            string(a.CapAttestante),
		Localita:       string(a.LocalitaAttestante),
		Provincia:      string(a.ProvinciaAttestante),
		Nazione:        string(a.NazioneAttestante),
	}
}

// requestOut maps a Request whose defaults and causali are already applied.
func requestOut(r *Request) *rptrt.RPT {
	items := make([]rptrt.CtDatiSingoloVersamentoRPT, len(r.Items))
	for i, it := range r.Items {
		v := rptrt.CtDatiSingoloVersamentoRPT{
			ImportoSingoloVersamento: wire.AmountOf(it.Amount),
			CommissioneCaricoPA:      amountPtr(it.Commission),
			IbanAccredito:            rptrt.StIBANIdentifier(it.IBANAccredito),
			BicAccredito:             rptrt.StBICIdentifier(it.BICAccredito),
			IbanAppoggio:             rptrt.StIBANIdentifier(it.IBANAppoggio),
			BicAppoggio:              rptrt.StBICIdentifier(it.BICAppoggio),
			CredenzialiPagatore:      rptrt.StText35(it.CredenzialiPagatore),
			CausaleVersamento:        rptrt.StText140(it.Causale),
			DatiSpecificiRiscossione: rptrt.StDatiSpecificiRiscossione(it.DatiSpecificiRiscossione),
		}
		if b := it.Bollo; b != nil {
			tipo := b.Tipo
			if tipo == "" {
				tipo = "01"
			}
			v.DatiMarcaBolloDigitale = &rptrt.CtDatiMarcaBolloDigitale{
				TipoBollo:          rptrt.StTipoBollo(tipo),
				HashDocumento:      rptrt.StBase64Binary70(b.Hash),
				ProvinciaResidenza: rptrt.StNazioneProvincia(b.Provincia),
			}
		}
		items[i] = v
	}
	return &rptrt.RPT{CtRichiestaPagamentoTelematico: rptrt.CtRichiestaPagamentoTelematico{
		VersioneOggetto: rptrt.StText16(r.Versione),
		Dominio: rptrt.CtDominio{
			IdentificativoDominio:             rptrt.StText35(r.Dominio),
			IdentificativoStazioneRichiedente: rptrt.StText35(r.Stazione),
		},
		IdentificativoMessaggioRichiesta: rptrt.StText35(r.IdentificativoMessaggioRichiesta),
		DataOraMessaggioRichiesta:        dateTimeOut(r.DataOra),
		AutenticazioneSoggetto:           rptrt.StAutenticazioneSoggetto(r.AutenticazioneSoggetto),
		SoggettoVersante:                 soggettoVersanteOut(r.Versante),
		SoggettoPagatore:                 soggettoPagatoreOut(r.Pagatore),
		EnteBeneficiario:                 enteOut(r.EnteBeneficiario),
		DatiVersamento: rptrt.CtDatiVersamentoRPT{
			DataEsecuzionePagamento:         dateOut(r.DataEsecuzione),
			ImportoTotaleDaVersare:          wire.AmountOf(r.Total()),
			TipoVersamento:                  rptrt.StTipoVersamento(r.TipoVersamento),
			IdentificativoUnivocoVersamento: rptrt.StText35(r.IUV),
			CodiceContestoPagamento:         rptrt.StText35(r.CCP),
			IbanAddebito:                    rptrt.StIBANIdentifier(r.IBANAddebito),
			BicAddebito:                     rptrt.StBICIdentifier(r.BICAddebito),
			FirmaRicevuta:                   rptrt.StFirmaRicevuta0,
			DatiSingoloVersamento:           items,
		},
	}}
}

func requestIn(w *rptrt.RPT) (*Request, error) {
	dataOra, err := w.DataOraMessaggioRichiesta.Time(gateway.Rome)
	if err != nil {
		return nil, fmt.Errorf("dataOraMessaggioRichiesta: %w", err)
	}
	dv := &w.DatiVersamento
	dataEsec, err := dv.DataEsecuzionePagamento.Time(gateway.Rome)
	if err != nil {
		return nil, fmt.Errorf("dataEsecuzionePagamento: %w", err)
	}
	r := &Request{
		Versione:                         string(w.VersioneOggetto),
		Dominio:                          string(w.Dominio.IdentificativoDominio),
		Stazione:                         string(w.Dominio.IdentificativoStazioneRichiedente),
		IdentificativoMessaggioRichiesta: string(w.IdentificativoMessaggioRichiesta),
		DataOra:                          dataOra,
		AutenticazioneSoggetto:           string(w.AutenticazioneSoggetto),
		Versante:                         soggettoVersanteIn(w.SoggettoVersante),
		Pagatore:                         soggettoPagatoreIn(w.SoggettoPagatore),
		EnteBeneficiario:                 enteIn(w.EnteBeneficiario),
		DataEsecuzione:                   dataEsec,
		TipoVersamento:                   string(dv.TipoVersamento),
		IUV:                              string(dv.IdentificativoUnivocoVersamento),
		CCP:                              string(dv.CodiceContestoPagamento),
		IBANAddebito:                     string(dv.IbanAddebito),
		BICAddebito:                      string(dv.BicAddebito),
		Items:                            make([]Item, len(dv.DatiSingoloVersamento)),
	}
	for i, v := range dv.DatiSingoloVersamento {
		it := Item{
			Amount:                   v.ImportoSingoloVersamento.Cents(),
			IBANAccredito:            string(v.IbanAccredito),
			BICAccredito:             string(v.BicAccredito),
			IBANAppoggio:             string(v.IbanAppoggio),
			BICAppoggio:              string(v.BicAppoggio),
			CredenzialiPagatore:      string(v.CredenzialiPagatore),
			Causale:                  string(v.CausaleVersamento),
			DatiSpecificiRiscossione: string(v.DatiSpecificiRiscossione),
		}
		if v.CommissioneCaricoPA != nil {
			it.Commission = v.CommissioneCaricoPA.Cents()
		}
		if b := v.DatiMarcaBolloDigitale; b != nil {
			it.Bollo = &MarcaBollo{Tipo: string(b.TipoBollo), Hash: []byte(b.HashDocumento), Provincia: string(b.ProvinciaResidenza)}
		}
		r.Items[i] = it
	}
	if got, want := r.Total(), dv.ImportoTotaleDaVersare.Cents(); got != want {
		return nil, &InvalidError{Doc: "RPT", Field: "importoTotaleDaVersare",
			Msg: fmt.Sprintf("%s is not the sum of importoSingoloVersamento (%s)", want, got)}
	}
	return r, nil
}

func receiptOut(rt *Receipt) *rptrt.RT {
	pays := make([]rptrt.CtDatiSingoloPagamentoRT, len(rt.Payments))
	for i, p := range rt.Payments {
		v := rptrt.CtDatiSingoloPagamentoRT{
			SingoloImportoPagato:             wire.AmountOf(p.SingoloImportoPagato),
			EsitoSingoloPagamento:            rptrt.StText35(p.Esito),
			DataEsitoSingoloPagamento:        dateOut(p.DataEsito),
			IdentificativoUnivocoRiscossione: rptrt.StText35(p.IUR),
			CausaleVersamento:                rptrt.StText140(p.Causale),
			DatiSpecificiRiscossione:         rptrt.StDatiSpecificiRiscossione(p.DatiSpecifici),
			CommissioniApplicatePA:           amountPtr(p.CommissioniPA),
		}
		if p.CommissioniPSP != nil {
			a := wire.AmountOf(*p.CommissioniPSP)
			v.CommissioniApplicatePSP = &a
		}
		if a := p.Allegato; a != nil {
			v.AllegatoRicevuta = &rptrt.CtAllegatoRicevuta{
				TipoAllegatoRicevuta: rptrt.StTipoAllegatoRicevuta(a.Tipo),
				TestoAllegato:        rptrt.StBase64(a.Testo),
			}
		}
		pays[i] = v
	}
	return &rptrt.RT{CtRicevutaTelematica: rptrt.CtRicevutaTelematica{
		VersioneOggetto: rptrt.StText16(rt.Versione),
		Dominio: rptrt.CtDominio{
			IdentificativoDominio:             rptrt.StText35(rt.Dominio),
			IdentificativoStazioneRichiedente: rptrt.StText35(rt.Stazione),
		},
		IdentificativoMessaggioRicevuta: rptrt.StText35(rt.IdentificativoMessaggioRicevuta),
		DataOraMessaggioRicevuta:        dateTimeOut(rt.DataOra),
		RiferimentoMessaggioRichiesta:   rptrt.StText35(rt.RiferimentoMessaggioRichiesta),
		RiferimentoDataRichiesta:        dateOut(rt.RiferimentoDataRichiesta),
		IstitutoAttestante:              attestanteOut(rt.IstitutoAttestante),
		EnteBeneficiario:                enteOut(rt.EnteBeneficiario),
		SoggettoVersante:                soggettoVersanteOut(rt.Versante),
		SoggettoPagatore:                soggettoPagatoreOut(rt.Pagatore),
		DatiPagamento: rptrt.CtDatiVersamentoRT{
			CodiceEsitoPagamento:            rptrt.StCodiceEsitoPagamento(fmt.Sprint(int(rt.Esito))),
			ImportoTotalePagato:             wire.AmountOf(rt.ImportoTotalePagato),
			IdentificativoUnivocoVersamento: rptrt.StText35(rt.IUV),
			CodiceContestoPagamento:         rptrt.StText35(rt.CCP),
			DatiSingoloPagamento:            pays,
		},
	}}
}

func receiptIn(w *rptrt.RT) (*Receipt, error) {
	dataOra, err := w.DataOraMessaggioRicevuta.Time(gateway.Rome)
	if err != nil {
		return nil, fmt.Errorf("dataOraMessaggioRicevuta: %w", err)
	}
	rifData, err := w.RiferimentoDataRichiesta.Time(gateway.Rome)
	if err != nil {
		return nil, fmt.Errorf("riferimentoDataRichiesta: %w", err)
	}
	dp := &w.DatiPagamento
	s := string(dp.CodiceEsitoPagamento)
	if len(s) != 1 || s[0] < '0' || s[0] > '4' {
		return nil, fmt.Errorf("codiceEsitoPagamento %q", s)
	}
	esito := Esito(s[0] - '0')
	rt := &Receipt{
		Versione:                        string(w.VersioneOggetto),
		Dominio:                         string(w.Dominio.IdentificativoDominio),
		Stazione:                        string(w.Dominio.IdentificativoStazioneRichiedente),
		IdentificativoMessaggioRicevuta: string(w.IdentificativoMessaggioRicevuta),
		DataOra:                         dataOra,
		RiferimentoMessaggioRichiesta:   string(w.RiferimentoMessaggioRichiesta),
		RiferimentoDataRichiesta:        rifData,
		IstitutoAttestante:              attestanteIn(w.IstitutoAttestante),
		EnteBeneficiario:                enteIn(w.EnteBeneficiario),
		Versante:                        soggettoVersanteIn(w.SoggettoVersante),
		Pagatore:                        soggettoPagatoreIn(w.SoggettoPagatore),
		Esito:                           esito,
		ImportoTotalePagato:             dp.ImportoTotalePagato.Cents(),
		IUV:                             string(dp.IdentificativoUnivocoVersamento),
		CCP:                             string(dp.CodiceContestoPagamento),
		Payments:                        make([]Payment, len(dp.DatiSingoloPagamento)),
	}
	for i, v := range dp.DatiSingoloPagamento {
		d, err := v.DataEsitoSingoloPagamento.Time(gateway.Rome)
		if err != nil {
			return nil, fmt.Errorf("dataEsitoSingoloPagamento %d: %w", i+1, err)
		}
		p := Payment{
			SingoloImportoPagato: v.SingoloImportoPagato.Cents(),
			Esito:                string(v.EsitoSingoloPagamento),
			DataEsito:            d,
			IUR:                  string(v.IdentificativoUnivocoRiscossione),
			Causale:              string(v.CausaleVersamento),
			DatiSpecifici:        string(v.DatiSpecificiRiscossione),
		}
		if v.CommissioniApplicatePSP != nil {
			c := v.CommissioniApplicatePSP.Cents()
			p.CommissioniPSP = &c
		}
		if v.CommissioniApplicatePA != nil {
			p.CommissioniPA = v.CommissioniApplicatePA.Cents()
		}
		if a := v.AllegatoRicevuta; a != nil {
			p.Allegato = &Allegato{Tipo: string(a.TipoAllegatoRicevuta), Testo: []byte(a.TestoAllegato)}
		}
		rt.Payments[i] = p
	}
	return rt, nil
}
