package sil

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/avvisi"
	"github.com/ponte-pagopa/ponte/gateway/cf"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
	"github.com/ponte-pagopa/ponte/gateway/rules"
	"github.com/ponte-pagopa/ponte/gateway/signed"
)

// importaInput is the paaSILImportaDovuto request, read off the wire.
type importaInput struct {
	Password      *string
	Dovuto        []byte // the base64 text of <dovuto>, still encoded
	FlagGeneraIuv bool
	Secondari     [][]byte // base64 texts of the non-empty dovutiEntiSecondari
}

// importaOutcome is what the response and the journal need.
type importaOutcome struct {
	IUD, IUV     string
	GeneratedIUV string // set only when Ponte generated the IUV
	ZipAvviso    []byte // azione S: the avviso PDF, zipped
	// URLFileAvviso is the public link to the avviso PDF.
	URLFileAvviso string
}

const opImporta = "paaSILImportaDovuto"

// importa runs paaSILImportaDovuto in MyPay's exact order
// (DovutoService#importDovuto). out is filled as far as the request got, for
// the journal, also on failure.
func (s *Service) importa(ctx context.Context, codIpa string, in *importaInput, out *importaOutcome) *gateway.Error {
	// 1. The payload is validated before the ente is even looked up.
	v, gerr := s.decodeVersamento(in.Dovuto, codIpa)
	if gerr != nil {
		return gerr
	}
	out.IUD, out.IUV = v.IUD, v.IUV

	ente, gerr := s.checkEnteImporta(ctx, codIpa, in.Password)
	if gerr != nil {
		return gerr
	}

	// 2. azione
	switch v.Azione {
	case "I", "M", "A", "S":
	default:
		return gateway.Errorf(gateway.CodeAzioneNonValido, "azione non valida [%s]", v.Azione)
	}

	// 3. IUV syntax
	if !iuv.ValidateSupplied(v.IUV, v.Azione, in.FlagGeneraIuv, ente.ApplicationCode, s.clock.Now(), s.opts.IUV15Limit) {
		return gateway.Errorf(gateway.CodeIUVNonValido, "IdentificativoUnivocoVersamento non valido [%s] per ente [%s]",
			javaString(v.IUV, v.IUVPresent), codIpa)
	}

	// 4. amounts
	if !rules.Commission(v.Commission) {
		return gateway.Errorf(gateway.CodeImportoNonValido, "commissioneCaricoPA non valido [%s]", javaDecimal(v.Commission))
	}
	if !rules.Amount(v.Amount) {
		return gateway.Errorf(gateway.CodeImportoNonValido, "ImportoSingoloVersamento non valido: %s]", javaDecimal(v.Amount))
	}

	// 5. bilancio
	if v.Bilancio != nil && v.Bilancio.Total() != v.Amount {
		return gateway.Errorf(gateway.CodeImportoBilancioNonValido, "Importo bilancio non congruente per dovuto con importo [%s]", javaDecimal(v.Amount))
	}

	// 6. tipo dovuto
	if !v.TipoPresent {
		return gateway.Errorf(gateway.CodeTipoDovutoNonPresente, "paaSILImportaDovuto: identificativoTipoDovuto non specificato ")
	}
	tipo, err := s.cache.tipo(ctx, s.enti, ente.ID, v.TipoDovuto)
	if err != nil {
		return systemError(err)
	}
	switch {
	case tipo == nil:
		return gateway.Errorf(gateway.CodeTipoDovutoNonValido, "Error tipo dovuto [%s] non censito per ente [%s]", v.TipoDovuto, ente.CodIpa)
	case !tipo.Enabled:
		return gateway.Errorf(gateway.CodeTipoDovutoNonAbilitato, "identificativoTipoDovuto [%s] non abilitato", v.TipoDovuto)
	case tipo.Code == gateway.MarcaBolloDigitale:
		return gateway.Errorf(gateway.CodeTipoDovutoNonValido, "Error tipo dovuto [%s] non abilitato per funzione di import", v.TipoDovuto)
	case tipo.FixedAmount > 0 && v.Amount != tipo.FixedAmount:
		// Ponte's own rule (MyPay has none for import): a tipo with a fixed
		// amount takes that amount only.
		return gateway.Errorf(gateway.CodeImportoNonValido, "ImportoSingoloVersamento non valido: %s] per tipo dovuto [%s] con importo %s",
			javaDecimal(v.Amount), v.TipoDovuto, javaDecimal(tipo.FixedAmount))
	}

	// 7. pagatore, tipoVersamento, IUD, causale, dati specifici, CF/PIVA
	if v.Payer == nil {
		return gateway.Errorf(gateway.CodeSoggPagNonValorizzato, "paaSILImportaDovuto: soggettoPagatore non valorizzato. ")
	}
	if !rules.TipoVersamento(v.TipoVersamento) {
		return gateway.Errorf(gateway.CodeTipoVersamentoNonValido, "paaSILImportaDovuto: Tipo versamento non valido: %s", v.TipoVersamento)
	}
	tipoVersamento := v.TipoVersamento
	if tipoVersamento == "" {
		tipoVersamento = rules.TipoVersamentoAll
	}
	if !rules.IUD(v.IUD) {
		return gateway.Errorf(gateway.CodeIUDNonValido, "paaSILImportaDovuto: IdentificativoUnivocoDovuto non valido: %s", javaString(v.IUD, v.IUDPresent))
	}
	if v.Causale == "" {
		return gateway.Errorf(gateway.CodeCausaleNonPresente, "paaSILImportaDovuto: causaleVersamento non specificato ")
	}
	if !rules.DatiSpecifici(v.DatiSpecifici) {
		return gateway.Errorf(gateway.CodeDatiSpecificiNonValido, "paaSILImportaDovuto: DatiSpecificiRiscossione non valido: %s", v.DatiSpecifici)
	}
	v.Payer.ID = strings.ToUpper(v.Payer.ID)
	if code := cf.ValidateSoggetto(v.Payer.Type, v.Payer.ID, tipo.AllowAnonymousCF); code != "" {
		return payerIDError(code, v.Payer, "paaSILImportaDovuto: %s [%s]")
	}

	// 8. normalisation
	p := rules.NormalizePayer(gateway.Payer(*v.Payer))

	d := &gateway.Dovuto{
		EnteID:                   ente.ID,
		IUD:                      v.IUD,
		IUV:                      v.IUV,
		State:                    gateway.DovutoDaPagare,
		TipoDovuto:               tipo.Code,
		TipoVersamento:           tipoVersamento,
		Amount:                   v.Amount,
		Commission:               v.Commission,
		DueDate:                  v.DueDate,
		Causale:                  v.Causale,
		DatiSpecificiRiscossione: v.DatiSpecifici,
		Bilancio:                 v.Bilancio,
		Payer:                    &p,
		Flusso:                   "_" + ente.CodIpa + "_IMPORT-DOVUTO",
	}

	// 9. azione
	switch v.Azione {
	case "I":
		if v.IUV == "" && in.FlagGeneraIuv {
			if gerr := s.generateIUV(ctx, ente, d, out); gerr != nil {
				return gerr
			}
		}
		if gerr := s.checkSecondari(in.Secondari, codIpa, d); gerr != nil {
			return gerr
		}
		if gerr := s.checkDueDate(tipo, d); gerr != nil {
			return gerr
		}
		if err := s.dovuti.InsertDovuto(ctx, d); err != nil {
			return importError(d, err)
		}
	case "M":
		if v.IUV == "" && in.FlagGeneraIuv {
			if gerr := s.generateIUV(ctx, ente, d, out); gerr != nil {
				return gerr
			}
		}
		cur, gerr := s.modifiable(ctx, ente, d, "non modificabile")
		if gerr != nil {
			return gerr
		}
		if d.IUV == "" {
			// MyPay would clear the IUV; Ponte keeps the one the dovuto
			// has, so a notice already printed stays payable.
			d.IUV = cur.IUV
			out.IUV = d.IUV
		}
		if gerr := s.checkSecondari(in.Secondari, codIpa, d); gerr != nil {
			return gerr
		}
		if gerr := s.checkDueDate(tipo, d); gerr != nil {
			return gerr
		}
		if err := s.dovuti.ModifyDovuto(ctx, d); err != nil {
			return importError(d, err)
		}
	case "A":
		if _, gerr := s.modifiable(ctx, ente, d, "non annullabile"); gerr != nil {
			return gerr
		}
		if err := s.dovuti.AnnulDovuto(ctx, ente.ID, d.IUD); err != nil {
			return importError(d, err)
		}
	case "S":
		if in.FlagGeneraIuv || d.IUV == "" {
			return gateway.Errorf(gateway.CodeSystemError, "%sErrore richiesta azione 'S' prevede presenza di 'IUV' e assenza 'flag_genera_iuv'",
				importPrefix(d, v.IUVPresent))
		}
		if _, err := s.dovuti.FindDovutoByIUV(ctx, ente.ID, d.IUV); errors.Is(err, gateway.ErrNotFound) {
			return gateway.Errorf(gateway.CodeIUVNonValido, "Error nessun dovuto trovato per IUV [%s] ed ente [%s]", d.IUV, codIpa)
		} else if err != nil {
			return systemError(err)
		}
		// MyPay prints the avviso from the request's data, stores nothing
		// and returns the PDF zipped as avviso_<cf>_<IUV>.pdf.
		zipped, err := avvisoZip(ente, d, s.clock.Now())
		if err != nil {
			return gateway.Errorf(gateway.CodeSystemError, "%sErrore stampa avviso: %v", importPrefix(d, v.IUVPresent), err)
		}
		out.ZipAvviso = zipped
	}
	// urlFileAvviso, as MyPay: a 15/17-digit IUV, azione I or M, and the
	// IUV asked to be generated.
	if s.avvisi != nil && (len(d.IUV) == 15 || len(d.IUV) == 17) && (v.Azione == "I" || v.Azione == "M") && in.FlagGeneraIuv {
		out.URLFileAvviso = avvisi.DownloadURL(s.avvisi, s.publicURL, ente.CodIpa, d.IUV)
	}
	return nil
}

// EnableAvvisi makes paaSILImportaDovuto return urlFileAvviso, links
// signed by signer that avvisi.Downloader must share.
func (s *Service) EnableAvvisi(signer *signed.Signer) { s.avvisi = signer }

// checkEnteImporta is step 1 after the payload: ente, state, password.
func (s *Service) checkEnteImporta(ctx context.Context, codIpa string, password *string) (*gateway.Ente, *gateway.Error) {
	ente, err := s.cache.ente(ctx, s.enti, codIpa)
	if err != nil {
		return nil, systemError(err)
	}
	if ente == nil {
		return nil, gateway.Errorf(gateway.CodeEnteNonValido, "codice IPA Ente [%s] non valido", codIpa)
	}
	if ente.State == gateway.EnteInserito {
		return nil, gateway.Errorf(gateway.CodeEnteNonValido, "Stato Ente Non Valido").WithSerial(0)
	}
	ok, err := s.checkPassword(ctx, ente, password)
	if err != nil {
		return nil, systemError(err)
	}
	if !ok {
		return nil, gateway.Errorf(gateway.CodeEnteNonValido, "Password non valida per ente [%s]", codIpa)
	}
	return ente, nil
}

// importPrefix is the start of every faultString MyPay builds after the
// checks: "paaSILImportaDovuto: Errore import dovuto IUV [x] e IUD [y]: ".
func importPrefix(d *gateway.Dovuto, iuvPresent bool) string {
	return "paaSILImportaDovuto: Errore import dovuto IUV [" + javaString(d.IUV, iuvPresent || d.IUV != "") +
		"] e IUD [" + d.IUD + "]: "
}

// generateIUV assigns a new IUV17 to d.
func (s *Service) generateIUV(ctx context.Context, ente *gateway.Ente, d *gateway.Dovuto, out *importaOutcome) *gateway.Error {
	n, err := s.iuvs.Next(ctx, ente.ID)
	var code string
	if err == nil {
		code, err = iuv.New17(ente.SegregationCode, n)
	}
	if err != nil {
		ge := gateway.Errorf(gateway.CodeSystemError, "%sErrore generazione iuv: %s", importPrefix(d, false), err.Error())
		ge.Err = err
		return ge
	}
	d.IUV = code
	out.IUV, out.GeneratedIUV = code, code
	return nil
}

// modifiable loads the dovuto azione M or A works on: it must exist and
// still be payable. MyPay throws here and its catch-all answers
// PAA_SYSTEM_ERROR with the "Errore generazione iuv" text, whatever the
// azione: so does Ponte.
func (s *Service) modifiable(ctx context.Context, ente *gateway.Ente, d *gateway.Dovuto, what string) (*gateway.Dovuto, *gateway.Error) {
	cur, err := s.dovuti.FindDovutoByIUD(ctx, ente.ID, d.IUD)
	var msg string
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		msg = fmt.Sprintf("Dovuto non trovato per IUD [%s] e codice IPA Ente [%s]", d.IUD, ente.CodIpa)
	case err != nil:
		return nil, systemError(err)
	case cur.State != gateway.DovutoDaPagare:
		msg = "Il dovuto risulta " + what
	default:
		return cur, nil
	}
	return nil, gateway.Errorf(gateway.CodeSystemError, "%sErrore generazione iuv: %s", importPrefix(d, d.IUV != ""), msg)
}

// checkDueDate is the due-date rule of MyPay's insert/modify functions:
// a tipo with a mandatory due date needs one, not in the past.
func (s *Service) checkDueDate(tipo *gateway.TipoDovuto, d *gateway.Dovuto) *gateway.Error {
	if !tipo.DueDateMandatory {
		return nil
	}
	if d.DueDate == "" {
		return gateway.Errorf(gateway.CodeImportDataScadenzaObbligatoria, "%sData scadenza pagamento obbligatoria per il tipo dovuto [%s]", importPrefix(d, d.IUV != ""), tipo.Code)
	}
	due, err := time.ParseInLocation(gateway.DateLayout, d.DueDate, gateway.Rome)
	today := s.clock.Now().In(gateway.Rome)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, gateway.Rome)
	if err != nil || due.Before(today) {
		return gateway.Errorf(gateway.CodeImportDataScadenzaObbligatoria, "%sData scadenza pagamento [%s] antecedente alla data odierna", importPrefix(d, d.IUV != ""), d.DueDate)
	}
	return nil
}

// importError maps a store write error to MyPay's answer: the DB function
// codes (PAA_IMPORT_*) with the import faultString, anything else a system
// error.
func importError(d *gateway.Dovuto, err error) *gateway.Error {
	var ge *gateway.Error
	if errors.As(err, &ge) {
		desc := ge.String
		if desc == "" {
			desc = ge.Code
		}
		return &gateway.Error{Code: ge.Code, String: importPrefix(d, d.IUV != "") + desc, Err: err}
	}
	msg := "Errore generazione iuv: " + err.Error()
	if errors.Is(err, gateway.ErrNotFound) || errors.Is(err, gateway.ErrConflict) {
		// A race with another request between our read and the write.
		return &gateway.Error{Code: gateway.CodeSystemError, String: importPrefix(d, d.IUV != "") + msg, Err: err}
	}
	return systemError(err)
}
