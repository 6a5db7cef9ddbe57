package checkout

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// htmlNode shortens match functions.
type htmlNode = html.Node

func parseHTML(t *testing.T, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// findAll returns the elements, in document order, for which match holds.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func byTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

func byAttr(key, val string) func(*html.Node) bool {
	return func(n *html.Node) bool { v, ok := attr(n, key); return ok && v == val }
}

func byClass(class string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		v, _ := attr(n, "class")
		for _, c := range strings.Fields(v) {
			if c == class {
				return true
			}
		}
		return false
	}
}

// text is the whitespace-normalised text content of n.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func one(t *testing.T, doc *html.Node, what string, match func(*html.Node) bool) *html.Node {
	t.Helper()
	got := findAll(doc, match)
	if len(got) != 1 {
		t.Fatalf("%s: %d elements, want 1", what, len(got))
	}
	return got[0]
}

func byID(t *testing.T, doc *html.Node, id string) *html.Node {
	t.Helper()
	return one(t, doc, "#"+id, byAttr("id", id))
}

// inputValue is the value of the form input with that name.
func inputValue(t *testing.T, doc *html.Node, name string) string {
	t.Helper()
	n := one(t, doc, "input "+name, func(n *html.Node) bool {
		v, ok := attr(n, "name")
		return n.Data == "input" && ok && v == name
	})
	v, _ := attr(n, "value")
	return v
}

// checkPage asserts what every page must have: lang="it", a title, no
// script, no external resource.
func checkPage(t *testing.T, body string) *html.Node {
	t.Helper()
	doc := parseHTML(t, body)
	h := one(t, doc, "html", byTag("html"))
	if lang, _ := attr(h, "lang"); lang != "it" {
		t.Errorf("html lang = %q, want it", lang)
	}
	if ti := one(t, doc, "title", byTag("title")); text(ti) == "" {
		t.Error("empty title")
	}
	if n := len(findAll(doc, byTag("script"))); n > 0 {
		t.Errorf("%d script elements", n)
	}
	for _, n := range findAll(doc, func(n *html.Node) bool { _, ok := attr(n, "src"); return ok || n.Data == "link" }) {
		t.Errorf("external resource: <%s>", n.Data)
	}
	if len(findAll(doc, byTag("h1"))) != 1 {
		t.Error("want exactly one h1")
	}
	return doc
}
