package demo

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// BasePath is where the portal is mounted unless Config.Path says
// otherwise.
const BasePath = "/demo"

// Config is what the portal needs.
type Config struct {
	// PublicURL is Ponte's public base URL: the back URL given to the SIL
	// (enteSILInviaRispostaPagamentoUrl) is PublicURL + Path + "/esito".
	PublicURL string
	// SILURL is the SIL SOAP endpoint the portal calls.
	SILURL string
	// CodIpa and Password identify the ente to the SIL.
	CodIpa   string
	Password string
	// Path is where the portal is mounted (default BasePath); Name is the
	// ente's name in its header (default "Comune di Ponte Demo").
	Path string
	Name string
	// HTTPClient makes the SOAP calls; nil means a client with a 15 s timeout.
	HTTPClient *http.Client
	Logger     *slog.Logger
	// PollFor bounds how long the outcome page keeps asking while the SIL
	// answers PAA_PAGAMENTO_IN_CORSO (the receipt may reach Ponte just
	// after the browser); PollEvery is the pause between asks. Zero means
	// 6 s and 300 ms.
	PollFor   time.Duration
	PollEvery time.Duration
}

func (c *Config) check() error {
	var errs []error
	for name, v := range map[string]string{"PublicURL": c.PublicURL, "SILURL": c.SILURL} {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("demo: "+name+" must be an absolute http(s) URL"))
		}
	}
	if c.CodIpa == "" {
		errs = append(errs, errors.New("demo: CodIpa is required"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.Path == "" {
		c.Path = BasePath
	}
	if c.Name == "" {
		c.Name = "Comune di Ponte Demo"
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.PollFor <= 0 {
		c.PollFor = 6 * time.Second
	}
	if c.PollEvery <= 0 {
		c.PollEvery = 300 * time.Millisecond
	}
	return nil
}
