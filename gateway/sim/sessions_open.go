package sim

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
)

// OpenSessions lists the sessions still waiting for the payer, oldest
// first: RPTs the node accepted whose payment nobody finished, e.g. after
// the gateway died before sending the browser on.
func (n *Node) OpenSessions() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, id := range n.order {
		if s := n.sessions[id]; s != nil && s.status == SessionOpen && !s.closing {
			out = append(out, id)
		}
	}
	return slices.Clip(out)
}

// mountOpenSessions adds GET <api>/sessions: the open sessions' ids.
func (n *Node) mountOpenSessions(g *echo.Group) {
	g.GET("/sessions", func(c echo.Context) error { return c.JSON(http.StatusOK, n.OpenSessions()) })
}
