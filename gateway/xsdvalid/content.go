package xsdvalid

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Content models are compiled into a deterministic automaton: a Thompson
// NFA built from the particle tree (occurrence ranges expanded), then
// determinised by subset construction. XSD's Unique Particle Attribution
// rule keeps the subsets small; the caps below bound pathological schemas.
const (
	maxNFAStates = 50000
	maxDFAStates = 10000
)

type dfa struct{ states []dstate }

type dstate struct {
	accept bool
	edges  []dedge
	wilds  []dwild
}

type dedge struct {
	name qname
	elem *element
	next int
}

type dwild struct {
	w    *wildcard
	next int
}

// step returns the transition taken on a child element name.
func (d *dfa) step(s int, name qname) (next int, elem *element, w *wildcard, ok bool) {
	st := &d.states[s]
	for i := range st.edges {
		e := &st.edges[i]
		if e.name.local == name.local && e.name.ns == name.ns {
			return e.next, e.elem, nil, true
		}
	}
	for i := range st.wilds {
		if st.wilds[i].w.allows(name.ns) {
			return st.wilds[i].next, nil, st.wilds[i].w, true
		}
	}
	return 0, nil, nil, false
}

// expected lists what may come next in state s, for error messages.
func (d *dfa) expected(s int) []string {
	st := &d.states[s]
	var out []string
	for _, e := range st.edges {
		out = append(out, e.name.String())
	}
	for _, w := range st.wilds {
		out = append(out, w.w.desc)
	}
	return out
}

type nedge struct {
	elem *element
	wild *wildcard
	to   int
}

type nfa struct {
	eps   [][]int
	edges [][]nedge
}

var errTooComplex = errors.New("content model too large (occurrence ranges expand beyond limits)")

func (a *nfa) newState() (int, error) {
	if len(a.eps) >= maxNFAStates {
		return 0, errTooComplex
	}
	a.eps = append(a.eps, nil)
	a.edges = append(a.edges, nil)
	return len(a.eps) - 1, nil
}

func (a *nfa) build(p *particle, from int) (int, error) {
	cur := from
	var err error
	for i := 0; i < p.min; i++ {
		if cur, err = a.term(p, cur); err != nil {
			return 0, err
		}
	}
	if p.max < 0 {
		loop, err := a.newState()
		if err != nil {
			return 0, err
		}
		a.eps[cur] = append(a.eps[cur], loop)
		e, err := a.term(p, loop)
		if err != nil {
			return 0, err
		}
		a.eps[e] = append(a.eps[e], loop)
		return loop, nil
	}
	end, err := a.newState()
	if err != nil {
		return 0, err
	}
	a.eps[cur] = append(a.eps[cur], end)
	for i := p.min; i < p.max; i++ {
		if cur, err = a.term(p, cur); err != nil {
			return 0, err
		}
		a.eps[cur] = append(a.eps[cur], end)
	}
	return end, nil
}

func (a *nfa) term(p *particle, from int) (int, error) {
	switch p.kind {
	case pkElement, pkAny:
		s, err := a.newState()
		if err != nil {
			return 0, err
		}
		a.edges[from] = append(a.edges[from], nedge{elem: p.elem, wild: p.wild, to: s})
		return s, nil
	case pkSequence:
		cur := from
		var err error
		for _, c := range p.children {
			if cur, err = a.build(c, cur); err != nil {
				return 0, err
			}
		}
		return cur, nil
	case pkChoice:
		end, err := a.newState()
		if err != nil {
			return 0, err
		}
		for _, c := range p.children {
			e, err := a.build(c, from)
			if err != nil {
				return 0, err
			}
			a.eps[e] = append(a.eps[e], end)
		}
		return end, nil
	}
	return 0, errors.New("xsd:all is only supported as the whole content of a complex type")
}

func (a *nfa) closure(set []int) []int {
	seen := make(map[int]bool, len(set))
	stack := append([]int(nil), set...)
	for _, s := range set {
		seen[s] = true
	}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, t := range a.eps[s] {
			if !seen[t] {
				seen[t] = true
				stack = append(stack, t)
			}
		}
	}
	out := make([]int, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func setKey(set []int) string {
	var b strings.Builder
	for _, s := range set {
		b.WriteString(strconv.Itoa(s))
		b.WriteByte(',')
	}
	return b.String()
}

// compileDFA builds the automaton of a particle.
func compileDFA(p *particle) (*dfa, error) {
	a := &nfa{}
	start, _ := a.newState()
	final, err := a.build(p, start)
	if err != nil {
		return nil, err
	}
	d := &dfa{}
	index := map[string]int{}
	var sets [][]int
	add := func(set []int) (int, error) {
		k := setKey(set)
		if i, ok := index[k]; ok {
			return i, nil
		}
		if len(sets) >= maxDFAStates {
			return 0, errTooComplex
		}
		index[k] = len(sets)
		sets = append(sets, set)
		d.states = append(d.states, dstate{accept: slices.Contains(set, final)})
		return len(sets) - 1, nil
	}
	if _, err := add(a.closure([]int{start})); err != nil {
		return nil, err
	}
	for i := 0; i < len(sets); i++ {
		set := sets[i]
		// Collect distinct labels in document order of the schema.
		var names []qname
		nameElem := map[qname]*element{}
		var wilds []*wildcard
		for _, s := range set {
			for _, e := range a.edges[s] {
				if e.elem != nil {
					if _, ok := nameElem[e.elem.name]; !ok {
						names = append(names, e.elem.name)
						nameElem[e.elem.name] = e.elem
					}
				} else if !slices.Contains(wilds, e.wild) {
					wilds = append(wilds, e.wild)
				}
			}
		}
		var edges []dedge
		for _, n := range names {
			var targets []int
			for _, s := range set {
				for _, e := range a.edges[s] {
					if e.elem != nil && e.elem.name == n || e.wild != nil && e.wild.allows(n.ns) {
						targets = append(targets, e.to)
					}
				}
			}
			next, err := add(a.closure(targets))
			if err != nil {
				return nil, err
			}
			edges = append(edges, dedge{name: n, elem: nameElem[n], next: next})
		}
		var dw []dwild
		for _, w := range wilds {
			var targets []int
			for _, s := range set {
				for _, e := range a.edges[s] {
					if e.wild == w {
						targets = append(targets, e.to)
					}
				}
			}
			next, err := add(a.closure(targets))
			if err != nil {
				return nil, err
			}
			dw = append(dw, dwild{w: w, next: next})
		}
		d.states[i].edges = edges
		d.states[i].wilds = dw
	}
	return d, nil
}

// allModel is an xsd:all group: each element at most once, in any order.
type allModel struct {
	elems    []*element
	required []bool
	optional bool // the group itself has minOccurs="0"
}

const maxAllElements = 64

func compileAll(p *particle) (*allModel, error) {
	if p.max != 1 || p.min > 1 {
		return nil, errors.New("xsd:all must have maxOccurs=1 and minOccurs 0 or 1")
	}
	if len(p.children) > maxAllElements {
		return nil, errors.New("xsd:all with more than 64 elements is not supported")
	}
	m := &allModel{optional: p.min == 0}
	for _, c := range p.children {
		if c.kind != pkElement || c.max > 1 || c.max < 0 {
			return nil, errors.New("xsd:all may only contain elements with maxOccurs 0 or 1")
		}
		if c.max == 0 {
			continue
		}
		m.elems = append(m.elems, c.elem)
		m.required = append(m.required, c.min > 0)
	}
	return m, nil
}

// missing lists the required elements not seen yet; nil when complete.
func (m *allModel) missing(seen uint64) []string {
	if seen == 0 && m.optional {
		return nil
	}
	var out []string
	for i, e := range m.elems {
		if m.required[i] && seen&(1<<i) == 0 {
			out = append(out, e.name.String())
		}
	}
	return out
}
