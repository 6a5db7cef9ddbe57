package sim

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// NSPaForNode is the namespace of the paForNode bodies.
const NSPaForNode = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"

// The paForNode operations the node calls (SOAPAction = name).
const (
	OpPaVerifyPaymentNotice = "paVerifyPaymentNotice"
	OpPaGetPaymentV2        = "paGetPaymentV2"
	OpPaSendRTV2            = "paSendRTV2"
)

// Faults the node gives the PSP when the station fails it (pagopa-node.md
// §5.5, §6.1).
const (
	PPTStazioneTimeout          = "PPT_STAZIONE_INT_PA_TIMEOUT"
	PPTStazioneIrraggiungibile  = "PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE"
	PPTStazioneErroreResponse   = "PPT_STAZIONE_INT_PA_ERRORE_RESPONSE"
	PAAReceiptDuplicata         = "PAA_RECEIPT_DUPLICATA"
	maxStationResponse          = 1 << 20
	stationErrorDescriptionSize = 300
)

// callError is a paForNode exchange that did not give a usable answer.
type callError struct {
	code string // one of the PPT_STAZIONE_INT_PA_* above
	desc string
}

func (e *callError) Error() string { return e.code + ": " + e.desc }

// callStation sends body (a generated paForNode request) to the station,
// checks the answer against paForNode.xsd and decodes it into out, whose
// element must be {NSPaForNode}respLocal. The request is checked against
// the schema first: the simulator never sends what the node would not.
func (n *Node) callStation(ctx context.Context, st Stazione, op string, timeout time.Duration, body any, respLocal string, out any) *callError {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="` + soap.NSEnvelope + `"><soapenv:Body>`)
	start := b.Len()
	enc := xml.NewEncoder(&b)
	if err := enc.Encode(body); err != nil {
		return &callError{PPTSystemError, fmt.Sprintf("encoding %s: %v", op, err)}
	}
	if err := enc.Flush(); err != nil {
		return &callError{PPTSystemError, err.Error()}
	}
	if err := n.pafn.ValidateBytes(b.Bytes()[start:]); err != nil {
		return &callError{PPTSystemError, fmt.Sprintf("%s non valida per paForNode.xsd: %v", op, err)}
	}
	b.WriteString(`</soapenv:Body></soapenv:Envelope>`)

	n.mu.Lock()
	n.stats.PaForNode.Calls[op]++
	n.mu.Unlock()
	if st.PaForNodeURL == "" {
		return &callError{PPTStazioneIrraggiungibile, "stazione " + st.ID + " senza URL paForNode"}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, st.PaForNodeURL, &b)
	if err != nil {
		return &callError{PPTStazioneIrraggiungibile, err.Error()}
	}
	req.Header.Set("Content-Type", soap.ContentType)
	req.Header.Set("SOAPAction", op)
	resp, err := n.cfg.StationClient.Do(req)
	if err != nil {
		if timedOut(err) {
			return &callError{PPTStazioneTimeout, fmt.Sprintf("%s: nessuna risposta entro %s", op, timeout)}
		}
		return &callError{PPTStazioneIrraggiungibile, err.Error()}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxStationResponse+1))
	switch {
	case err != nil && timedOut(err):
		return &callError{PPTStazioneTimeout, fmt.Sprintf("%s: risposta non completata entro %s", op, timeout)}
	case err != nil:
		return &callError{PPTStazioneErroreResponse, "risposta interrotta: " + err.Error()}
	case len(raw) > maxStationResponse:
		return &callError{PPTStazioneErroreResponse, "risposta troppo grande"}
	}
	bad := func(format string, args ...any) *callError {
		d := fmt.Sprintf("HTTP %d: ", resp.StatusCode) + fmt.Sprintf(format, args...)
		if len(d) > stationErrorDescriptionSize {
			d = d[:stationErrorDescriptionSize]
		}
		return &callError{PPTStazioneErroreResponse, d}
	}
	sr, err := soap.Decode(bytes.NewReader(raw), soap.Limits{})
	if err != nil {
		return bad("%v", err)
	}
	if sr.Operation != (xml.Name{Space: NSPaForNode, Local: respLocal}) {
		return bad("elemento {%s}%s invece di %s", sr.Operation.Space, sr.Operation.Local, respLocal)
	}
	var re rawElement
	if err := sr.DecodeBody(&re); err != nil {
		return bad("%v", err)
	}
	if err := n.pafn.ValidateBytes(re.doc); err != nil {
		return bad("%v", err)
	}
	if err := xml.Unmarshal(re.doc, out); err != nil {
		return bad("%v", err)
	}
	return nil
}
