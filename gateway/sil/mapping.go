package sil

import (
	"encoding/xml"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
	gensil "github.com/ponte-pagopa/ponte/generated/sil"
	"github.com/ponte-pagopa/ponte/generated/wire"
)

// This file is the only place that knows the generated wire types: it turns
// them into the request views of request.go and builds responses. Every
// string is trimmed here, as MyPay trims every xs:string on unmarshal.

func trim[S ~string](s S) string { return strings.TrimSpace(string(s)) }

// importaDovutoWire reads the paaSILImportaDovuto body. It mirrors
// gensil.PaaSILImportaDovuto but keeps the base64 elements as raw text:
// MyPay answers an undecodable payload with PAA_XML_NON_VALIDO, whereas
// wire.Base64 would fail the decoding of the whole body. Tags carry no
// namespace, so qualified children are accepted too.
type importaDovutoWire struct {
	Password      *string `xml:"password"`
	Dovuto        []byte  `xml:"dovuto"`
	FlagGeneraIuv *bool   `xml:"flagGeneraIuv"`
	Lista         *struct {
		Elementi []struct {
			Dovuti []byte `xml:"dovutiEntiSecondari"`
		} `xml:"elementoListaDovutiEntiSecondari"`
	} `xml:"listaDovutiEntiSecondari"`
}

func (w *importaDovutoWire) input() *importaInput {
	in := &importaInput{Dovuto: w.Dovuto}
	if w.Password != nil {
		pw := strings.TrimSpace(*w.Password)
		in.Password = &pw
	}
	if w.FlagGeneraIuv != nil {
		in.FlagGeneraIuv = *w.FlagGeneraIuv
	}
	if w.Lista != nil {
		for _, e := range w.Lista.Elementi {
			// MyPay drops empty elements before counting them.
			if len(strings.TrimSpace(string(e.Dovuti))) > 0 {
				in.Secondari = append(in.Secondari, e.Dovuti)
			}
		}
	}
	return in
}

const xmlDovutiNonValido = "XML dei dovuti non valido"

// decodeVersamento decodes and validates the Versamento payload.
func (s *Service) decodeVersamento(text []byte, codIpa string) (*versamento, *gateway.Error) {
	var doc gensil.Versamento
	if gerr := decodePayload(text, opImporta, codIpa, xmlDovutiNonValido, &doc); gerr != nil {
		return nil, gerr
	}
	dv := &doc.DatiVersamento
	v := &versamento{
		Azione:         trim(doc.Azione),
		DueDate:        dueDate(dv.DataEsecuzionePagamento),
		TipoVersamento: trim(dv.TipoVersamento),
		IUV:            trim(dv.IdentificativoUnivocoVersamento),
		IUD:            trim(dv.IdentificativoUnivocoDovuto),
		Amount:         dv.ImportoSingoloVersamento.Cents(),
		TipoDovuto:     trim(dv.IdentificativoTipoDovuto),
		Causale:        trim(dv.CausaleVersamento),
		DatiSpecifici:  trim(dv.DatiSpecificiRiscossione),
		Bilancio:       bilancioOf(dv.Bilancio),
	}
	// The schema refuses empty strings (minLength 1), so "" means absent.
	v.IUVPresent, v.IUDPresent, v.TipoPresent = v.IUV != "", v.IUD != "", v.TipoDovuto != ""
	if dv.CommissioneCaricoPA != nil {
		v.Commission = dv.CommissioneCaricoPA.Cents()
	}
	if doc.SoggettoPagatore != nil {
		p := payerOf(doc.SoggettoPagatore)
		v.Payer = &p
	}
	return v, nil
}

// decodeDovuti decodes and validates a Dovuti payload.
func (s *Service) decodeDovuti(text []byte, op, codIpa string) (*dovutiDoc, *gateway.Error) {
	var doc gensil.Dovuti
	if gerr := decodePayload(text, op, codIpa, xmlDovutiNonValido, &doc); gerr != nil {
		return nil, gerr
	}
	dv := &doc.DatiVersamento
	out := &dovutiDoc{
		Payer:          payerOf(&doc.SoggettoPagatore),
		TipoVersamento: trim(dv.TipoVersamento),
		IUV:            trim(dv.IdentificativoUnivocoVersamento),
		Items:          make([]dovutoItem, 0, len(dv.DatiSingoloVersamento)),
	}
	for i := range dv.DatiSingoloVersamento {
		d := &dv.DatiSingoloVersamento[i]
		it := dovutoItem{
			IUD:           trim(d.IdentificativoUnivocoDovuto),
			Amount:        d.ImportoSingoloVersamento.Cents(),
			TipoDovuto:    trim(d.IdentificativoTipoDovuto),
			Causale:       trim(d.CausaleVersamento),
			DatiSpecifici: trim(d.DatiSpecificiRiscossione),
			Bilancio:      bilancioOf(d.Bilancio),
		}
		if d.CommissioneCaricoPA != nil {
			it.Commission = d.CommissioneCaricoPA.Cents()
		}
		if m := d.DatiMarcaBolloDigitale; m != nil {
			it.MarcaBollo = &marcaBollo{
				TipoBollo:          trim(m.TipoBollo),
				HashDocumento:      trim(m.HashDocumento),
				ProvinciaResidenza: trim(m.ProvinciaResidenza),
			}
		}
		out.Items = append(out.Items, it)
	}
	return out, nil
}

// secondarioOf maps the secondary beneficiary of a DovutiEntiSecondari.
func secondarioOf(d *gensil.CtDatiVersamentoDovutiEntiSecondari) *secondario {
	return &secondario{
		CodiceFiscale:            trim(d.CodiceFiscaleBeneficiario),
		Denominazione:            trim(d.DenominazioneBeneficiario),
		IBAN:                     trim(d.IbanAccreditoBeneficiario),
		Address:                  trim(d.IndirizzoBeneficiario),
		Civic:                    trim(d.CivicoBeneficiario),
		CAP:                      trim(d.CapBeneficiario),
		Locality:                 trim(d.LocalitaBeneficiario),
		Province:                 trim(d.ProvinciaBeneficiario),
		Nation:                   trim(d.NazioneBeneficiario),
		Causale:                  trim(d.CausaleVersamento),
		DatiSpecificiRiscossione: trim(d.DatiSpecificiRiscossione),
		Amount:                   d.ImportoSingoloVersamento.Cents(),
	}
}

// decodeSecondario decodes and validates a DovutiEntiSecondari payload.
func (s *Service) decodeSecondario(text []byte, op, codIpa string) (*secondario, *gateway.Error) {
	var doc gensil.DovutiEntiSecondari
	if gerr := decodePayload(text, op, codIpa, "XML dei dovuti Enti secondari non valido", &doc); gerr != nil {
		return nil, gerr
	}
	return secondarioOf(&doc.DatiVersamentoEntiSecondari), nil
}

func payerOf(sp *gensil.CtSoggettoPagatore) payer {
	return payer{
		Type:     trim(sp.IdentificativoUnivocoPagatore.TipoIdentificativoUnivoco),
		ID:       trim(sp.IdentificativoUnivocoPagatore.CodiceIdentificativoUnivoco),
		Name:     trim(sp.AnagraficaPagatore),
		Address:  trim(sp.IndirizzoPagatore),
		Civic:    trim(sp.CivicoPagatore),
		CAP:      trim(sp.CapPagatore),
		Locality: trim(sp.LocalitaPagatore),
		Province: trim(sp.ProvinciaPagatore),
		Nation:   trim(sp.NazionePagatore),
		Email:    trim(sp.EmailPagatore),
	}
}

func bilancioOf(b *gensil.CtBilancio) *gateway.Bilancio {
	if b == nil {
		return nil
	}
	out := &gateway.Bilancio{Capitoli: make([]gateway.Capitolo, 0, len(b.Capitolo))}
	for _, c := range b.Capitolo {
		gc := gateway.Capitolo{Code: trim(c.CodCapitolo), Office: trim(c.CodUfficio)}
		for _, a := range c.Accertamento {
			gc.Accertamenti = append(gc.Accertamenti, gateway.Accertamento{Code: trim(a.CodAccertamento), Amount: a.Importo.Cents()})
		}
		out.Capitoli = append(out.Capitoli, gc)
	}
	return out
}

// dueDate keeps the civil date of an xs:date (which may carry a zone).
func dueDate(d wire.Date) string {
	s := trim(d)
	if len(s) > len(gateway.DateLayout) {
		s = s[:len(gateway.DateLayout)]
	}
	return s
}

// Response names.
var nameImportaRisposta = xml.Name{Space: NS, Local: "paaSILImportaDovutoRisposta"}

// faultBean puts a faultView on the wire.
func faultBean(f *faultView) *gensil.FaultBean {
	if f == nil {
		return nil
	}
	fb := &gensil.FaultBean{FaultCode: f.Code, FaultString: f.String, Id: f.ID, Description: f.Description}
	if f.Serial != nil {
		n := int32(*f.Serial)
		fb.Serial = &n
	}
	return fb
}

// importaResponse builds paaSILImportaDovutoRisposta.
func importaResponse(f *faultView, generatedIUV string) *gensil.PaaSILImportaDovutoRisposta {
	r := &gensil.PaaSILImportaDovutoRisposta{}
	if f != nil {
		r.Fault = faultBean(f)
		r.Esito = esitoKO
		return r
	}
	r.Esito = esitoOK
	r.IdentificativoUnivocoVersamento = gensil.StText35(generatedIUV)
	return r
}
