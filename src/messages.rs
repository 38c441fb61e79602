//! Operator-facing texts (English and Brazilian Portuguese): a title, the likely cause, and
//! what to do. The appliance's own message, when there is a sensible one, leads the cause.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::client::ConfigError;
use crate::id::IdError;
use crate::outcome::{Outcome, OutcomeKind};
use crate::server::ServerUrlError;
use crate::text::cat;
use serde::{Deserialize, Serialize};

/// UI language. serde: "en" | "pt-BR".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "pt-BR")]
    PtBr,
}

impl Lang {
    /// "en", "pt-BR", "pt_BR", "pt" (any case, also "pt-PT" etc.); anything else → En.
    pub fn parse(s: &str) -> Lang {
        let t = s.trim().to_ascii_lowercase();
        if t == "pt" || t.starts_with("pt-") || t.starts_with("pt_") {
            Lang::PtBr
        } else {
            Lang::En
        }
    }

    /// BCP 47 tag: "en" or "pt-BR".
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::PtBr => "pt-BR",
        }
    }
}

impl core::str::FromStr for Lang {
    type Err = core::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Lang::parse(s))
    }
}

/// Title, cause and fix, ready to show as TEXT.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Message {
    pub title: String,
    pub cause: String,
    pub fix: String,
}

impl Message {
    fn new(title: impl Into<String>, cause: impl Into<String>, fix: impl Into<String>) -> Self {
        Message {
            title: title.into(),
            cause: cause.into(),
            fix: fix.into(),
        }
    }
}

fn pick<'a>(lang: Lang, en: &'a str, pt: &'a str) -> &'a str {
    match lang {
        Lang::En => en,
        Lang::PtBr => pt,
    }
}

/// A message worth quoting: some letters, not just a number or a code.
fn sensible(m: &str) -> bool {
    // ASCII letters, or any non-ASCII character (accents), counted as letters.
    let letters = m
        .chars()
        .filter(|c| c.is_ascii_alphabetic() || !c.is_ascii())
        .count();
    letters >= 3 && m.contains(' ') || letters >= 6
}

/// Static texts per kind, in [`OutcomeKind`] order: `[lang][title, cause, fix]` (English,
/// then Portuguese). A table rather than a `match`: smaller wasm.
static OUTCOME_TEXTS: [[[&str; 3]; 2]; 16] = [
    // Dropped
    [
        [
            "Session terminated",
            "The appliance confirmed that the remote session was dropped.",
            "Nothing else to do: the user was disconnected. The session's recording and logs remain available in senhasegura.",
        ],
        [
            "Sessão encerrada",
            "O senhasegura confirmou que a sessão remota foi interrompida.",
            "Nada mais a fazer: o usuário foi desconectado. A gravação e os logs da sessão continuam disponíveis no senhasegura.",
        ],
    ],
    // AlreadyEnded
    [
        [
            "Session not terminated",
            "The appliance could not drop this session: the session ID is wrong, or the session has already ended.",
            "Check the session ID and refresh the list of sessions. If the session is still shown as active, try again; otherwise there is nothing to do.",
        ],
        [
            "Sessão não encerrada",
            "O senhasegura não conseguiu interromper esta sessão: o ID da sessão está errado ou a sessão já terminou.",
            "Confira o ID da sessão e atualize a lista de sessões. Se ela ainda aparecer como ativa, tente de novo; caso contrário, não há nada a fazer.",
        ],
    ],
    // ResourceNotFound
    [
        [
            "API path not found",
            "The appliance does not know this API path. The server URL may be wrong, or the appliance runs a release that uses the other path generation (/iso/session/… up to 3.32, /api/pam/session/… from 3.33 on).",
            "Check the server URL in the options (just the appliance address, without /flow or other paths). If it is right, set the API generation to \"auto\" or to the one matching your senhasegura release.",
        ],
        [
            "Caminho da API não encontrado",
            "O senhasegura não reconhece este caminho da API. A URL do servidor pode estar errada, ou a versão do senhasegura usa a outra geração de caminhos (/iso/session/… até a 3.32, /api/pam/session/… a partir da 3.33).",
            "Confira a URL do servidor nas opções (apenas o endereço do senhasegura, sem /flow ou outros caminhos). Se estiver correta, escolha a geração da API \"auto\" ou a que corresponde à sua versão do senhasegura.",
        ],
    ],
    // RouteNotMatched
    [
        [
            "Request refused by the API gateway",
            "The appliance's API gateway found no route for this request. This happens when the Authorization header is missing, or when the path belongs to the other API generation.",
            "Get a new token (\"Test connection\" in the options) and try again. If it persists, set the API generation to \"auto\" or to the one matching your senhasegura release.",
        ],
        [
            "Requisição recusada pelo gateway da API",
            "O gateway da API do senhasegura não encontrou rota para esta requisição. Isso acontece quando falta o header Authorization, ou quando o caminho é da outra geração da API.",
            "Obtenha um novo token (\"Testar conexão\" nas opções) e tente de novo. Se persistir, escolha a geração da API \"auto\" ou a que corresponde à sua versão do senhasegura.",
        ],
    ],
    // AuthFailed
    [
        [
            "Authentication failed",
            "The appliance refused the credentials: the access token expired or was revoked, or the client ID or client secret is wrong or disabled.",
            "Check the A2A client ID and client secret in the options and use \"Test connection\" to get a new token. In senhasegura, check that the A2A application and its authorization are active.",
        ],
        [
            "Falha na autenticação",
            "O senhasegura recusou as credenciais: o token de acesso expirou ou foi revogado, ou o Client ID ou o Client Secret está errado ou desativado.",
            "Confira o Client ID e o Client Secret do A2A nas opções e use \"Testar conexão\" para obter um novo token. No senhasegura, verifique se a aplicação A2A e a autorização dela estão ativas.",
        ],
    ],
    // NotAuthorized
    [
        [
            "Not allowed to terminate sessions",
            "This application's A2A authorization does not allow the operation: terminating a session needs access to PAM Core with read and write permission.",
            "Ask the administrator to grant this application PAM Core read and write in A2A (the application's authorization), then try again.",
        ],
        [
            "Sem permissão para encerrar sessões",
            "A autorização A2A desta aplicação não permite a operação: encerrar uma sessão exige acesso ao PAM Core com permissão de leitura e escrita.",
            "Peça ao administrador que conceda a esta aplicação leitura e escrita no PAM Core no A2A (na autorização da aplicação) e tente de novo.",
        ],
    ],
    // ServerError
    [
        [
            "Error on the appliance",
            "The senhasegura appliance hit an internal error while handling the request.",
            "Try again in a moment. If it happens again, contact senhasegura support with the time of the attempt and the session ID.",
        ],
        [
            "Erro no senhasegura",
            "O senhasegura teve um erro interno ao tratar a requisição.",
            "Tente de novo daqui a pouco. Se voltar a acontecer, contate o suporte do senhasegura informando o horário da tentativa e o ID da sessão.",
        ],
    ],
    // Timeout
    [
        [
            "No answer in time",
            "The appliance did not answer in time. The session may or may not have been terminated.",
            "Check the connectivity between this browser and the appliance (VPN, proxy, firewall), then refresh the list of sessions before trying again.",
        ],
        [
            "Sem resposta a tempo",
            "O senhasegura não respondeu a tempo. A sessão pode ou não ter sido encerrada.",
            "Verifique a conectividade entre este navegador e o senhasegura (VPN, proxy, firewall) e atualize a lista de sessões antes de tentar de novo.",
        ],
    ],
    // Network
    [
        [
            "Cannot reach the appliance",
            "The browser could not complete the request: the server name did not resolve, the connection was refused, or the browser does not trust the appliance's TLS certificate. An A2A authorization that restricts IP addresses or HTTP referrers may also refuse the extension's Origin.",
            "Open the server URL in a browser tab once and make sure it loads without a certificate warning (install your company's CA if needed). Check the server URL, VPN and proxy. If the A2A authorization restricts IPs or HTTP referrers, allow this computer's address and the extension's origin.",
        ],
        [
            "Não foi possível acessar o senhasegura",
            "O navegador não conseguiu concluir a requisição: o nome do servidor não foi resolvido, a conexão foi recusada, ou o navegador não confia no certificado TLS do senhasegura. Uma autorização A2A que restringe IPs ou referenciadores HTTP (referrers) também pode recusar a Origin da extensão.",
            "Abra a URL do servidor uma vez em uma aba do navegador e confirme que ela carrega sem aviso de certificado (instale a CA da sua empresa se necessário). Confira a URL do servidor, a VPN e o proxy. Se a autorização A2A restringe IPs ou referenciadores HTTP, libere o endereço deste computador e a origem da extensão.",
        ],
    ],
    // Gateway
    [
        [
            "Unusable answer from the server",
            "The answer did not come from the senhasegura API: a proxy, load balancer or web page answered instead (an error page, or an empty or non-JSON answer).",
            "Check that the server URL points at the appliance itself (not a portal or login page) and that the appliance is up, then try again in a few minutes.",
        ],
        [
            "Resposta inutilizável do servidor",
            "A resposta não veio da API do senhasegura: um proxy, balanceador de carga ou página web respondeu no lugar dela (página de erro, ou resposta vazia ou que não é JSON).",
            "Confira se a URL do servidor aponta para o próprio senhasegura (não para um portal ou página de login) e se ele está no ar; depois tente de novo em alguns minutos.",
        ],
    ],
    // Unexpected
    [
        [
            "Unexpected answer",
            "The appliance answered something this extension does not recognise.",
            "Check the server URL and the API generation in the options. If it persists, copy the curl command from the options page and send it with this message to your senhasegura administrator.",
        ],
        [
            "Resposta inesperada",
            "O senhasegura respondeu algo que esta extensão não reconhece.",
            "Confira a URL do servidor e a geração da API nas opções. Se persistir, copie o comando curl na página de opções e envie-o com esta mensagem ao administrador do senhasegura.",
        ],
    ],
    // InvalidSessionRef
    [
        [
            "Invalid session ID",
            "The session ID is empty, or has characters a senhasegura session ID never has (such as /, ?, #, %, spaces or accents).",
            "Copy the session ID (the long hash) or the numeric row ID exactly as the console shows it.",
        ],
        [
            "ID de sessão inválido",
            "O ID da sessão está vazio ou tem caracteres que um ID de sessão do senhasegura nunca tem (como /, ?, #, %, espaços ou acentos).",
            "Copie o ID da sessão (o hash longo) ou o ID numérico da linha exatamente como o console mostra.",
        ],
    ],
    // SessionNotFound
    [
        [
            "Session not found",
            "The appliance has no session with this ID.",
            "Refresh the console page: the session may have been purged, or the ID may belong to another appliance.",
        ],
        [
            "Sessão não encontrada",
            "O senhasegura não tem sessão com este ID.",
            "Atualize a página do console: a sessão pode ter sido expurgada, ou o ID pode ser de outro senhasegura.",
        ],
    ],
    // InvalidConfig
    [
        [
            "Settings incomplete or invalid",
            "The extension is not configured correctly: the server URL, client ID or client secret is missing or invalid.",
            "Open the extension options, enter the appliance URL (https://…) and the A2A client ID and client secret, then use \"Test connection\".",
        ],
        [
            "Configuração incompleta ou inválida",
            "A extensão não está configurada corretamente: a URL do servidor, o Client ID ou o Client Secret está faltando ou é inválido.",
            "Abra as opções da extensão, informe a URL do senhasegura (https://…) e o Client ID e o Client Secret do A2A, e use \"Testar conexão\".",
        ],
    ],
    // Connected
    [
        [
            "Connected",
            "The appliance accepted the client ID and client secret and issued an access token.",
            "Nothing else to do. Note that terminating sessions also needs PAM Core read and write in the application's A2A authorization.",
        ],
        [
            "Conectado",
            "O senhasegura aceitou o Client ID e o Client Secret e emitiu um token de acesso.",
            "Nada mais a fazer. Lembre que encerrar sessões também exige leitura e escrita no PAM Core na autorização A2A da aplicação.",
        ],
    ],
    // Resolved
    [
        [
            "Session found",
            "The row ID was matched to its session ID.",
            "Nothing else to do.",
        ],
        [
            "Sessão localizada",
            "O ID da linha foi associado ao ID da sessão.",
            "Nada mais a fazer.",
        ],
    ],
];

/// Title, cause and fix for an outcome, in `lang`.
pub fn describe(outcome: &Outcome, lang: Lang) -> Message {
    let t = &OUTCOME_TEXTS[outcome.kind as usize][lang as usize];
    let mut cause = String::new();
    if let Some(m) = outcome.server_message.as_deref().filter(|m| sensible(m)) {
        cause.push_str(pick(
            lang,
            "The appliance said: “",
            "O senhasegura respondeu: “",
        ));
        cause.push_str(m);
        cause.push_str("”. ");
    }
    cause.push_str(t[1]);
    if let Some(st) = outcome.status {
        if matches!(
            outcome.kind,
            OutcomeKind::Unexpected | OutcomeKind::Gateway | OutcomeKind::ServerError
        ) {
            cause.push_str(" (HTTP ");
            crate::num::push_u64(&mut cause, st.into());
            cause.push(')');
        }
    }
    Message::new(t[0], cause, t[2])
}

/// `[lang][title, cause before the value, cause after it, fix]` of a refused input (English,
/// then Portuguese); see [`compose`].
type InputTexts = [[&'static str; 4]; 2];

/// The message of `t` in `lang`, with `value` (the offending part, or "") inside the cause.
fn compose(t: &InputTexts, lang: Lang, value: &str) -> Message {
    let [title, before, after, fix] = t[lang as usize];
    Message::new(title, cat(&[before, value, after]), fix)
}

/// In [`IdError`] order: Empty, TooLong, Forbidden, DotSegment, NotARowId.
static ID_TEXTS: [InputTexts; 5] = [
    [
        [
            "Invalid session ID",
            "The session ID is empty.",
            "",
            "Copy the session ID (or the numeric row ID) from the console.",
        ],
        [
            "ID de sessão inválido",
            "O ID da sessão está vazio.",
            "",
            "Copie o ID da sessão (ou o ID numérico da linha) do console.",
        ],
    ],
    [
        [
            "Invalid session ID",
            "The session ID is longer than ",
            " characters.",
            "Copy only the session ID, without surrounding text.",
        ],
        [
            "ID de sessão inválido",
            "O ID da sessão tem mais de ",
            " caracteres.",
            "Copie apenas o ID da sessão, sem texto em volta.",
        ],
    ],
    [
        [
            "Invalid session ID",
            "The session ID contains ",
            "; session IDs never contain /, \\, ?, #, %, spaces, control characters or accents.",
            "Copy the session ID exactly as the console shows it (the hash in the Session ID column).",
        ],
        [
            "ID de sessão inválido",
            "O ID da sessão contém ",
            "; IDs de sessão nunca têm /, \\, ?, #, %, espaços, caracteres de controle ou acentos.",
            "Copie o ID da sessão exatamente como o console mostra (o hash na coluna ID da sessão).",
        ],
    ],
    [
        [
            "Invalid session ID",
            "The session ID contains \"..\", which could change the request path.",
            "",
            "Copy the session ID exactly as the console shows it.",
        ],
        [
            "ID de sessão inválido",
            "O ID da sessão contém \"..\", o que poderia alterar o caminho da requisição.",
            "",
            "Copie o ID da sessão exatamente como o console mostra.",
        ],
    ],
    [
        [
            "Invalid session ID",
            "A row ID is a number (digits only, at most 20).",
            "",
            "Use the number in the ID column, or choose \"session ID\" to paste the hash.",
        ],
        [
            "ID de sessão inválido",
            "O ID da linha é um número (apenas dígitos, no máximo 20).",
            "",
            "Use o número da coluna ID, ou escolha \"ID da sessão\" para colar o hash.",
        ],
    ],
];

pub(crate) fn id_error_message(e: &IdError, lang: Lang) -> Message {
    let (i, value) = match e {
        IdError::Empty => (0, String::new()),
        IdError::TooLong { max } => (1, crate::num::u64_text(*max as u64)),
        IdError::Forbidden { ch, pos } => (
            2,
            cat(&[
                &show_char(*ch, lang),
                pick(lang, " at position ", " na posição "),
                &crate::num::u64_text(*pos as u64 + 1),
            ]),
        ),
        IdError::DotSegment => (3, String::new()),
        IdError::NotARowId => (4, String::new()),
    };
    compose(&ID_TEXTS[i], lang, &value)
}

fn show_char(c: char, lang: Lang) -> String {
    if c == ' ' {
        pick(lang, "a space", "um espaço").to_owned()
    } else if c.is_control() || c.is_whitespace() {
        // "U+" and at least 4 upper-case hex digits.
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let n = c as u32;
        let mut s = String::from("U+");
        let mut shift = if n > 0xFFFFF {
            20
        } else if n > 0xFFFF {
            16
        } else {
            12
        };
        loop {
            s.push(char::from(HEX[((n >> shift) & 15) as usize]));
            if shift == 0 {
                break;
            }
            shift -= 4;
        }
        s
    } else {
        let mut s = String::from("\"");
        s.push(c);
        s.push('"');
        s
    }
}

/// In [`ServerUrlError`] order: Empty, MissingScheme, UnsupportedScheme, InsecureHttp,
/// UserInfo, Query, Fragment, EmptyHost, NonAsciiHost, InvalidHost, BadPort, InvalidPath.
static URL_TEXTS: [InputTexts; 12] = [
    [
        ["Invalid server URL", "The server URL is empty.", "", "Enter the appliance address, e.g. https://pam.example.com"],
        ["URL do servidor inválida", "A URL do servidor está vazia.", "", "Informe o endereço do senhasegura, ex.: https://pam.exemplo.com.br"],
    ],
    [
        ["Invalid server URL", "The server URL does not start with https://.", "", "Write the full address, e.g. https://pam.example.com"],
        ["URL do servidor inválida", "A URL do servidor não começa com https://.", "", "Escreva o endereço completo, ex.: https://pam.exemplo.com.br"],
    ],
    [
        ["Invalid server URL", "\"", "://\" is not supported; the API is only reached over https.", "Use https://."],
        ["URL do servidor inválida", "\"", "://\" não é suportado; a API só é acessada por https.", "Use https://."],
    ],
    [
        ["Invalid server URL", "http:// is only allowed for a local test server (localhost, 127.0.0.1, [::1]): credentials and tokens must not travel unencrypted.", "", "Use https://."],
        ["URL do servidor inválida", "http:// só é permitido para um servidor de teste local (localhost, 127.0.0.1, [::1]): credenciais e tokens não podem trafegar sem criptografia.", "", "Use https://."],
    ],
    [
        ["Invalid server URL", "The server URL contains a user name or password (before \"@\").", "", "Remove the \"user@\" part; credentials go in the client ID and client secret fields."],
        ["URL do servidor inválida", "A URL do servidor contém usuário ou senha (antes do \"@\").", "", "Remova a parte \"usuário@\"; as credenciais vão nos campos Client ID e Client Secret."],
    ],
    [
        ["Invalid server URL", "The server URL contains a query (\"?…\").", "", "Keep only the appliance address, e.g. https://pam.example.com"],
        ["URL do servidor inválida", "A URL do servidor contém uma query (\"?…\").", "", "Mantenha apenas o endereço do senhasegura, ex.: https://pam.exemplo.com.br"],
    ],
    [
        ["Invalid server URL", "The server URL contains a fragment (\"#…\").", "", "Keep only the appliance address, e.g. https://pam.example.com"],
        ["URL do servidor inválida", "A URL do servidor contém um fragmento (\"#…\").", "", "Mantenha apenas o endereço do senhasegura, ex.: https://pam.exemplo.com.br"],
    ],
    [
        ["Invalid server URL", "The server URL has no host name.", "", "Write the appliance host name after https://."],
        ["URL do servidor inválida", "A URL do servidor não tem nome de host.", "", "Escreva o nome do host do senhasegura depois de https://."],
    ],
    [
        ["Invalid server URL", "The host name has accents or other non-ASCII characters.", "", "Write the host name in its ASCII (punycode, xn--…) form."],
        ["URL do servidor inválida", "O nome do host tem acentos ou outros caracteres não ASCII.", "", "Escreva o nome do host na forma ASCII (punycode, xn--…)."],
    ],
    [
        ["Invalid server URL", "The host name is not valid.", "", "Check the host name: letters, digits, '-' and '.', or an IP address."],
        ["URL do servidor inválida", "O nome do host não é válido.", "", "Confira o nome do host: letras, dígitos, '-' e '.', ou um endereço IP."],
    ],
    [
        ["Invalid server URL", "The port \"", "\" is not a number between 1 and 65535.", "Fix or remove the port (\":8443\")."],
        ["URL do servidor inválida", "A porta \"", "\" não é um número entre 1 e 65535.", "Corrija ou remova a porta (\":8443\")."],
    ],
    [
        ["Invalid server URL", "The path after the host has spaces, accents, \"..\", \"%\" or backslashes.", "", "Usually no path is needed: keep only https://host[:port]."],
        ["URL do servidor inválida", "O caminho depois do host tem espaços, acentos, \"..\", \"%\" ou barras invertidas.", "", "Normalmente nenhum caminho é necessário: mantenha apenas https://host[:porta]."],
    ],
];

pub(crate) fn server_url_error_message(e: &ServerUrlError, lang: Lang) -> Message {
    use ServerUrlError::*;
    let (i, value) = match e {
        Empty => (0, ""),
        MissingScheme => (1, ""),
        UnsupportedScheme(s) => (2, s.as_str()),
        InsecureHttp => (3, ""),
        UserInfo => (4, ""),
        Query => (5, ""),
        Fragment => (6, ""),
        EmptyHost => (7, ""),
        NonAsciiHost => (8, ""),
        InvalidHost => (9, ""),
        BadPort(p) => (10, p.as_str()),
        InvalidPath => (11, ""),
    };
    compose(&URL_TEXTS[i], lang, value)
}

/// MissingClientId, MissingClientSecret, BadTimeout.
static CONFIG_TEXTS: [InputTexts; 3] = [
    [
        [
            "Client ID missing",
            "No A2A client ID is configured.",
            "",
            "Copy the client ID of the A2A application (A2A > Applications) into the options.",
        ],
        [
            "Client ID ausente",
            "Nenhum Client ID do A2A foi configurado.",
            "",
            "Copie o Client ID da aplicação A2A (A2A > Aplicações) para as opções.",
        ],
    ],
    [
        [
            "Client secret missing",
            "No A2A client secret is configured.",
            "",
            "Copy the client secret of the A2A application into the options.",
        ],
        [
            "Client Secret ausente",
            "Nenhum Client Secret do A2A foi configurado.",
            "",
            "Copie o Client Secret da aplicação A2A para as opções.",
        ],
    ],
    [
        [
            "Invalid timeout",
            "The timeout of ",
            " ms is outside 1 000 – 300 000 ms.",
            "Use a timeout between 1 and 300 seconds (15 s is a good default).",
        ],
        [
            "Tempo limite inválido",
            "O tempo limite de ",
            " ms está fora de 1 000 – 300 000 ms.",
            "Use um tempo limite entre 1 e 300 segundos (15 s é um bom padrão).",
        ],
    ],
];

pub(crate) fn config_error_message(e: &ConfigError, lang: Lang) -> Message {
    let (i, value) = match e {
        ConfigError::Server(s) => return server_url_error_message(s, lang),
        ConfigError::MissingClientId => (0, String::new()),
        ConfigError::MissingClientSecret => (1, String::new()),
        ConfigError::BadTimeout(ms) => (2, crate::num::u64_text((*ms).into())),
    };
    compose(&CONFIG_TEXTS[i], lang, &value)
}
