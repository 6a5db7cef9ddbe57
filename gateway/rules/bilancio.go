package rules

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
)

// maxBilancioCode is stText64, the length of every bilancio code.
const maxBilancioCode = 64

// Bilancio parses the bilancio of a CSV row: ctBilancio written without a
// namespace (MyPay adds its own before validating; one given is ignored),
//
//	<bilancio><capitolo><codCapitolo/>[<codUfficio/>]
//	  <accertamento>[<codAccertamento/>]<importo/></accertamento>…
//	</capitolo>…</bilancio>
//
// with the XSD's rules: at least one capitolo with a codCapitolo and at
// least one accertamento each, codes of 1..64 characters, importo in the
// stImportoPositivo form (digits, a dot, two decimals; above zero and at
// most gateway.MaxAmount). Unknown elements and repeated single elements
// are refused. Whether the total matches the dovuto is the caller's check.
func Bilancio(s string) (*gateway.Bilancio, error) {
	var doc xmlBilancio
	d := xml.NewDecoder(strings.NewReader(s))
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("bilancio: %w", err)
	}
	// Nothing but white space and comments may follow the root.
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("bilancio: %w", err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return nil, errors.New("bilancio: text after the root element")
			}
		case xml.Comment, xml.ProcInst:
		default:
			return nil, errors.New("bilancio: content after the root element")
		}
	}
	if doc.XMLName.Local != "bilancio" {
		return nil, fmt.Errorf("bilancio: root element is %q", doc.XMLName.Local)
	}
	if len(doc.Other) > 0 {
		return nil, fmt.Errorf("bilancio: unexpected element %q", doc.Other[0].XMLName.Local)
	}
	if len(doc.Capitoli) == 0 {
		return nil, errors.New("bilancio: no capitolo")
	}
	out := &gateway.Bilancio{Capitoli: make([]gateway.Capitolo, 0, len(doc.Capitoli))}
	for i, c := range doc.Capitoli {
		if len(c.Other) > 0 {
			return nil, fmt.Errorf("bilancio: capitolo %d: unexpected element %q", i+1, c.Other[0].XMLName.Local)
		}
		if len(c.Code) != 1 || len(c.Office) > 1 {
			return nil, fmt.Errorf("bilancio: capitolo %d: codCapitolo once and codUfficio at most once", i+1)
		}
		gc := gateway.Capitolo{Code: strings.TrimSpace(c.Code[0])}
		if !validCode(gc.Code) {
			return nil, fmt.Errorf("bilancio: capitolo %d: bad codCapitolo", i+1)
		}
		if len(c.Office) == 1 {
			if gc.Office = strings.TrimSpace(c.Office[0]); !validCode(gc.Office) {
				return nil, fmt.Errorf("bilancio: capitolo %d: bad codUfficio", i+1)
			}
		}
		if len(c.Accertamenti) == 0 {
			return nil, fmt.Errorf("bilancio: capitolo %d: no accertamento", i+1)
		}
		for j, a := range c.Accertamenti {
			if len(a.Other) > 0 || len(a.Code) > 1 || len(a.Amount) != 1 {
				return nil, fmt.Errorf("bilancio: capitolo %d accertamento %d: bad content", i+1, j+1)
			}
			ga := gateway.Accertamento{}
			if len(a.Code) == 1 {
				if ga.Code = strings.TrimSpace(a.Code[0]); !validCode(ga.Code) {
					return nil, fmt.Errorf("bilancio: capitolo %d accertamento %d: bad codAccertamento", i+1, j+1)
				}
			}
			amount, err := gateway.ParseAmount(a.Amount[0])
			if err != nil || amount <= 0 || amount > gateway.MaxAmount {
				return nil, fmt.Errorf("bilancio: capitolo %d accertamento %d: bad importo %q", i+1, j+1, a.Amount[0])
			}
			ga.Amount = amount
			gc.Accertamenti = append(gc.Accertamenti, ga)
		}
		out.Capitoli = append(out.Capitoli, gc)
	}
	return out, nil
}

func validCode(s string) bool { return s != "" && MaxLen(s, maxBilancioCode) }

// FormatBilancio writes b as the CSV column holds it (no namespace, no
// white space), the inverse of Bilancio; "" for nil.
func FormatBilancio(b *gateway.Bilancio) string {
	if b == nil {
		return ""
	}
	var sb strings.Builder
	sb.WriteString("<bilancio>")
	for _, c := range b.Capitoli {
		sb.WriteString("<capitolo>")
		element(&sb, "codCapitolo", c.Code)
		if c.Office != "" {
			element(&sb, "codUfficio", c.Office)
		}
		for _, a := range c.Accertamenti {
			sb.WriteString("<accertamento>")
			if a.Code != "" {
				element(&sb, "codAccertamento", a.Code)
			}
			element(&sb, "importo", a.Amount.String())
			sb.WriteString("</accertamento>")
		}
		sb.WriteString("</capitolo>")
	}
	sb.WriteString("</bilancio>")
	return sb.String()
}

func element(sb *strings.Builder, name, text string) {
	sb.WriteString("<" + name + ">")
	_ = xml.EscapeText(sb, []byte(text))
	sb.WriteString("</" + name + ">")
}

type xmlOther struct {
	XMLName xml.Name
}

type xmlBilancio struct {
	XMLName  xml.Name
	Capitoli []xmlCapitolo `xml:"capitolo"`
	Other    []xmlOther    `xml:",any"`
}

type xmlCapitolo struct {
	Code         []string          `xml:"codCapitolo"`
	Office       []string          `xml:"codUfficio"`
	Accertamenti []xmlAccertamento `xml:"accertamento"`
	Other        []xmlOther        `xml:",any"`
}

type xmlAccertamento struct {
	Code   []string   `xml:"codAccertamento"`
	Amount []string   `xml:"importo"`
	Other  []xmlOther `xml:",any"`
}
