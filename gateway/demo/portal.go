package demo

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
)

// SIL fault codes the outcome page tells apart.
const (
	codeInCorso     = "PAA_PAGAMENTO_IN_CORSO"
	codeNonIniziato = "PAA_PAGAMENTO_NON_INIZIATO"
	codeAnnullato   = "PAA_PAGAMENTO_ANNULLATO"
	codeScaduto     = "PAA_PAGAMENTO_SCADUTO"
)

// maxIDSession bounds the idSession read from the URL.
const maxIDSession = 128

type portal struct {
	cfg Config
	sil *silClient
	log *slog.Logger
}

// Mount adds the portal's routes under Config.Path.
func Mount(e *echo.Echo, cfg Config) error {
	if err := cfg.check(); err != nil {
		return err
	}
	p := &portal{
		cfg: cfg,
		sil: &silClient{url: cfg.SILURL, codIpa: cfg.CodIpa, password: cfg.Password, http: cfg.HTTPClient},
		log: cfg.Logger,
	}
	e.GET(p.cfg.Path, func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, p.cfg.Path+"/") })
	e.GET(p.cfg.Path+"/", p.form)
	e.POST(p.cfg.Path+"/paga", p.paga)
	e.GET(p.cfg.Path+"/esito", p.esito)
	return nil
}

// form is GET /demo/.
func (p *portal) form(c echo.Context) error {
	return p.renderForm(c, http.StatusOK, formValues{Tipo: tipi[0].Code}, nil, nil)
}

// paga is POST /demo/paga: the gestionale's "pay" button. It hands the
// dovuto to the SIL and sends the browser where the SIL says.
func (p *portal) paga(c echo.Context) error {
	v := formValues{
		Tipo: c.FormValue("tipo"), Causale: c.FormValue("causale"), Importo: c.FormValue("importo"),
		Nome: c.FormValue("nome"), CF: c.FormValue("cf"), Email: c.FormValue("email"),
	}
	pay, errs := v.check()
	if errs != nil {
		return p.renderForm(c, http.StatusUnprocessableEntity, v, errs, nil)
	}
	pay.IUD = newIUD(time.Now())
	doc, err := dovutiDocument(pay)
	if err != nil {
		p.log.Error("demo: building Dovuti", "err", err)
		return p.renderForm(c, http.StatusInternalServerError, v, nil, &faultView{Message: "Errore interno del portale. Riprova."})
	}
	ans, err := p.sil.inviaDovuti(c.Request().Context(), doc, p.cfg.PublicURL+p.cfg.Path+"/esito")
	var f *Fault
	switch {
	case errors.As(err, &f):
		p.log.Info("demo: paaSILInviaDovuti refused", "iud", pay.IUD, "faultCode", f.Code, "faultString", f.String)
		detail := f.String
		if f.Description != "" && f.Description != f.String {
			detail += " (" + f.Description + ")"
		}
		return p.renderForm(c, http.StatusUnprocessableEntity, v, nil, &faultView{
			Message: "Il sistema dei pagamenti ha rifiutato la richiesta. Controlla i dati e riprova.",
			Code:    f.Code, Detail: detail,
		})
	case err != nil:
		p.log.Error("demo: paaSILInviaDovuti", "iud", pay.IUD, "err", err)
		return p.renderForm(c, http.StatusBadGateway, v, nil, &faultView{
			Message: "Il sistema dei pagamenti non risponde. Non è stato addebitato nulla: riprova tra qualche minuto.",
		})
	}
	if !webURL(ans.URL) {
		p.log.Error("demo: paaSILInviaDovuti answered an unusable url", "url", ans.URL)
		return p.renderForm(c, http.StatusBadGateway, v, nil, &faultView{
			Message: "Il sistema dei pagamenti ha risposto in modo inatteso. Non è stato addebitato nulla.",
		})
	}
	p.log.Info("demo: payment started", "iud", pay.IUD, "idSession", ans.IDSession, "amount", pay.Amount.String())
	return c.Redirect(http.StatusSeeOther, ans.URL)
}

// esito is GET /demo/esito?idSession=…&esito=…, where Ponte sends the
// citizen back. The esito in the URL only says how the browser left;
// the SIL's paaSILChiediPagati is the truth.
func (p *portal) esito(c echo.Context) error {
	id := strings.TrimSpace(c.QueryParam("idSession"))
	if id == "" || len(id) > maxIDSession {
		return p.renderEsito(c, http.StatusBadRequest, &esitoPage{
			Heading:    "Pagamento non trovato",
			Paragraphs: []string{"Il collegamento non indica nessun pagamento. Se hai appena pagato, controlla l'e-mail con l'esito."},
		})
	}
	ctx := c.Request().Context()
	deadline := time.Now().Add(p.cfg.PollFor)
	for {
		doc, err := p.sil.chiediPagati(ctx, id)
		var f *Fault
		if errors.As(err, &f) && f.Code == codeInCorso && time.Now().Add(p.cfg.PollEvery).Before(deadline) {
			t := time.NewTimer(p.cfg.PollEvery)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			continue
		}
		return p.outcome(c, id, doc, err)
	}
}

// outcome renders the answer of paaSILChiediPagati.
func (p *portal) outcome(c echo.Context, id string, doc *pagatiDoc, err error) error {
	var f *Fault
	switch {
	case errors.As(err, &f):
		return p.faultOutcome(c, id, f)
	case err != nil:
		p.log.Error("demo: paaSILChiediPagati", "idSession", id, "err", err)
		return p.renderEsito(c, http.StatusBadGateway, &esitoPage{
			Heading: "Esito non disponibile",
			Paragraphs: []string{
				"Il sistema dei pagamenti non risponde: non possiamo ancora dirti se il pagamento è riuscito.",
				"Non pagare di nuovo: riprova a controllare tra qualche minuto, o attendi l'e-mail con l'esito.",
			},
			Refresh: p.refreshURL(id),
		})
	}
	e := &esitoPage{}
	importo := doc.Dati.Importo
	if cents, err := gateway.ParseAmount(importo); err == nil {
		importo = formatEuro(cents)
	}
	switch doc.Dati.Esito {
	case "0":
		e.Heading, e.Stato, e.Class = "Pagamento riuscito", "PAGATO", "ok"
		e.Paragraphs = []string{"Grazie: il Comune ha ricevuto la ricevuta del tuo pagamento."}
	case "2":
		e.Heading, e.Stato, e.Class = "Pagamento riuscito in parte", "PAGATO IN PARTE", "ko"
		e.Paragraphs = []string{"Solo una parte dell'importo risulta pagata. Per il resto contatta l'ufficio tributi."}
	default: // 1 non eseguito, 3 and 4 decorrenza termini
		e.Heading, e.Stato, e.Class = "Pagamento non riuscito", "NON PAGATO", "ko"
		e.Paragraphs = []string{"Il pagamento non è andato a buon fine e non ti è stato addebitato nulla. Puoi riprovare."}
	}
	if len(doc.Dati.Singoli) > 0 && doc.Dati.Singoli[0].Causale != "" {
		e.Details = append(e.Details, detail{ID: "causale", Label: "Causale", Value: plainCausale(doc.Dati.Singoli[0].Causale)})
	}
	e.Details = append(e.Details,
		detail{ID: "importo", Label: "Importo pagato", Value: importo},
		detail{ID: "iuv", Label: "Codice IUV", Value: doc.Dati.IUV},
		detail{ID: "ricevuta", Label: "Identificativo della ricevuta", Value: doc.RicevutaID},
	)
	if doc.Attestante != "" {
		e.Details = append(e.Details, detail{ID: "psp", Label: "Prestatore del servizio di pagamento", Value: doc.Attestante})
	}
	if t, err := time.Parse("2006-01-02T15:04:05", doc.DataOra); err == nil {
		e.Details = append(e.Details, detail{ID: "data", Label: "Data", Value: t.Format("02/01/2006 15:04")})
	}
	p.log.Info("demo: outcome", "idSession", id, "codiceEsitoPagamento", doc.Dati.Esito, "iuv", doc.Dati.IUV)
	return p.renderEsito(c, http.StatusOK, e)
}

// faultOutcome renders a fault of paaSILChiediPagati.
func (p *portal) faultOutcome(c echo.Context, id string, f *Fault) error {
	e := &esitoPage{}
	switch f.Code {
	case codeInCorso:
		e.Heading, e.Stato, e.Class = "Pagamento in corso", "IN CORSO", "attesa"
		e.Paragraphs = []string{
			"Il Comune non ha ancora ricevuto la ricevuta del pagamento: di solito arriva entro pochi minuti.",
			"Non pagare di nuovo: aggiorna questa pagina tra poco, o attendi l'e-mail con l'esito.",
		}
		e.Refresh = p.refreshURL(id)
	case codeAnnullato:
		e.Heading, e.Stato, e.Class = "Pagamento annullato", "NON PAGATO", "ko"
		e.Paragraphs = []string{"Hai annullato il pagamento: non ti è stato addebitato nulla."}
	case codeScaduto:
		e.Heading, e.Stato, e.Class = "Pagamento scaduto", "NON PAGATO", "ko"
		e.Paragraphs = []string{"Il tempo per completare il pagamento è terminato: non ti è stato addebitato nulla."}
	case codeNonIniziato:
		e.Heading, e.Stato, e.Class = "Pagamento non avviato", "NON PAGATO", "ko"
		e.Paragraphs = []string{"Il pagamento non è stato confermato: non ti è stato addebitato nulla."}
	default:
		p.log.Warn("demo: paaSILChiediPagati fault", "idSession", id, "faultCode", f.Code, "faultString", f.String)
		return p.renderEsito(c, http.StatusBadGateway, &esitoPage{
			Heading:    "Esito non disponibile",
			Paragraphs: []string{"Il sistema dei pagamenti non ha potuto darci l'esito di questo pagamento."},
			Details:    []detail{{ID: "codice-errore", Label: "Codice", Value: f.Code + ": " + f.String}},
			Refresh:    p.refreshURL(id),
		})
	}
	p.log.Info("demo: outcome", "idSession", id, "faultCode", f.Code)
	return p.renderEsito(c, http.StatusOK, e)
}

// plainCausale drops the pagoPA prefix of a causale ("/RFB/<IUV>/<importo>/TXT/…"):
// the citizen wrote only what follows /TXT/.
func plainCausale(s string) string {
	if strings.HasPrefix(s, "/RF") {
		if _, text, ok := strings.Cut(s, "/TXT/"); ok && text != "" {
			return text
		}
	}
	return s
}

func (p *portal) refreshURL(id string) string {
	return p.cfg.Path + "/esito?idSession=" + url.QueryEscape(id)
}

// webURL accepts only an absolute http(s) URL: the browser is never sent
// anywhere else on the word of an answer.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
