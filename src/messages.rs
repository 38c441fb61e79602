//! Operator-facing texts (English and Brazilian Portuguese): a title, the likely cause, and
//! what to do. The appliance's own message, when there is a sensible one, leads the cause.

use crate::client::ConfigError;
use crate::id::IdError;
use crate::outcome::{Outcome, OutcomeKind};
use crate::server::ServerUrlError;
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

impl std::str::FromStr for Lang {
    type Err = std::convert::Infallible;
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

/// Static texts per kind: (title, cause, fix) in English and Portuguese.
fn texts(kind: OutcomeKind) -> [[&'static str; 3]; 2] {
    use OutcomeKind::*;
    match kind {
        Dropped => [
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
        AlreadyEnded => [
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
        ResourceNotFound => [
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
        RouteNotMatched => [
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
        AuthFailed => [
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
        NotAuthorized => [
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
        ServerError => [
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
        Timeout => [
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
        Network => [
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
        Gateway => [
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
        Unexpected => [
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
        InvalidSessionRef => [
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
        SessionNotFound => [
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
        InvalidConfig => [
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
        Connected => [
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
        Resolved => [
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
    }
}

/// Title, cause and fix for an outcome, in `lang`.
pub fn describe(outcome: &Outcome, lang: Lang) -> Message {
    let [en, pt] = texts(outcome.kind);
    let t = match lang {
        Lang::En => en,
        Lang::PtBr => pt,
    };
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
            cause.push_str(&format!(" (HTTP {st})"));
        }
    }
    Message::new(t[0], cause, t[2])
}

pub(crate) fn id_error_message(e: &IdError, lang: Lang) -> Message {
    let title = pick(lang, "Invalid session ID", "ID de sessão inválido");
    let (cause, fix) = match (e, lang) {
        (IdError::Empty, Lang::En) => (
            "The session ID is empty.".to_owned(),
            "Copy the session ID (or the numeric row ID) from the console.",
        ),
        (IdError::Empty, Lang::PtBr) => (
            "O ID da sessão está vazio.".to_owned(),
            "Copie o ID da sessão (ou o ID numérico da linha) do console.",
        ),
        (IdError::TooLong { max }, Lang::En) => (
            format!("The session ID is longer than {max} characters."),
            "Copy only the session ID, without surrounding text.",
        ),
        (IdError::TooLong { max }, Lang::PtBr) => (
            format!("O ID da sessão tem mais de {max} caracteres."),
            "Copie apenas o ID da sessão, sem texto em volta.",
        ),
        (IdError::Forbidden { ch, pos }, Lang::En) => (
            format!(
                "The session ID contains {} at position {}; session IDs never contain /, \\, ?, #, %, spaces, control characters or accents.",
                show_char(*ch, lang),
                pos + 1
            ),
            "Copy the session ID exactly as the console shows it (the hash in the Session ID column).",
        ),
        (IdError::Forbidden { ch, pos }, Lang::PtBr) => (
            format!(
                "O ID da sessão contém {} na posição {}; IDs de sessão nunca têm /, \\, ?, #, %, espaços, caracteres de controle ou acentos.",
                show_char(*ch, lang),
                pos + 1
            ),
            "Copie o ID da sessão exatamente como o console mostra (o hash na coluna ID da sessão).",
        ),
        (IdError::DotSegment, Lang::En) => (
            "The session ID contains \"..\", which could change the request path.".to_owned(),
            "Copy the session ID exactly as the console shows it.",
        ),
        (IdError::DotSegment, Lang::PtBr) => (
            "O ID da sessão contém \"..\", o que poderia alterar o caminho da requisição.".to_owned(),
            "Copie o ID da sessão exatamente como o console mostra.",
        ),
        (IdError::NotARowId, Lang::En) => (
            "A row ID is a number (digits only, at most 20).".to_owned(),
            "Use the number in the ID column, or choose \"session ID\" to paste the hash.",
        ),
        (IdError::NotARowId, Lang::PtBr) => (
            "O ID da linha é um número (apenas dígitos, no máximo 20).".to_owned(),
            "Use o número da coluna ID, ou escolha \"ID da sessão\" para colar o hash.",
        ),
    };
    Message::new(title, cause, fix)
}

fn show_char(c: char, lang: Lang) -> String {
    if c == ' ' {
        pick(lang, "a space", "um espaço").to_owned()
    } else if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("\"{c}\"")
    }
}

pub(crate) fn server_url_error_message(e: &ServerUrlError, lang: Lang) -> Message {
    use ServerUrlError::*;
    let title = pick(lang, "Invalid server URL", "URL do servidor inválida");
    let en = lang == Lang::En;
    let (cause, fix): (String, &str) = match e {
        Empty => (
            pick(lang, "The server URL is empty.", "A URL do servidor está vazia.").into(),
            pick(lang, "Enter the appliance address, e.g. https://pam.example.com", "Informe o endereço do senhasegura, ex.: https://pam.exemplo.com.br"),
        ),
        MissingScheme => (
            pick(lang, "The server URL does not start with https://.", "A URL do servidor não começa com https://.").into(),
            pick(lang, "Write the full address, e.g. https://pam.example.com", "Escreva o endereço completo, ex.: https://pam.exemplo.com.br"),
        ),
        UnsupportedScheme(s) => (
            if en {
                format!("\"{s}://\" is not supported; the API is only reached over https.")
            } else {
                format!("\"{s}://\" não é suportado; a API só é acessada por https.")
            },
            pick(lang, "Use https://.", "Use https://."),
        ),
        InsecureHttp => (
            pick(lang, "http:// is only allowed for a local test server (localhost, 127.0.0.1, [::1]): credentials and tokens must not travel unencrypted.", "http:// só é permitido para um servidor de teste local (localhost, 127.0.0.1, [::1]): credenciais e tokens não podem trafegar sem criptografia.").into(),
            pick(lang, "Use https://.", "Use https://."),
        ),
        UserInfo => (
            pick(lang, "The server URL contains a user name or password (before \"@\").", "A URL do servidor contém usuário ou senha (antes do \"@\").").into(),
            pick(lang, "Remove the \"user@\" part; credentials go in the client ID and client secret fields.", "Remova a parte \"usuário@\"; as credenciais vão nos campos Client ID e Client Secret."),
        ),
        Query => (
            pick(lang, "The server URL contains a query (\"?…\").", "A URL do servidor contém uma query (\"?…\").").into(),
            pick(lang, "Keep only the appliance address, e.g. https://pam.example.com", "Mantenha apenas o endereço do senhasegura, ex.: https://pam.exemplo.com.br"),
        ),
        Fragment => (
            pick(lang, "The server URL contains a fragment (\"#…\").", "A URL do servidor contém um fragmento (\"#…\").").into(),
            pick(lang, "Keep only the appliance address, e.g. https://pam.example.com", "Mantenha apenas o endereço do senhasegura, ex.: https://pam.exemplo.com.br"),
        ),
        EmptyHost => (
            pick(lang, "The server URL has no host name.", "A URL do servidor não tem nome de host.").into(),
            pick(lang, "Write the appliance host name after https://.", "Escreva o nome do host do senhasegura depois de https://."),
        ),
        NonAsciiHost => (
            pick(lang, "The host name has accents or other non-ASCII characters.", "O nome do host tem acentos ou outros caracteres não ASCII.").into(),
            pick(lang, "Write the host name in its ASCII (punycode, xn--…) form.", "Escreva o nome do host na forma ASCII (punycode, xn--…)."),
        ),
        InvalidHost => (
            pick(lang, "The host name is not valid.", "O nome do host não é válido.").into(),
            pick(lang, "Check the host name: letters, digits, '-' and '.', or an IP address.", "Confira o nome do host: letras, dígitos, '-' e '.', ou um endereço IP."),
        ),
        BadPort(p) => (
            if en {
                format!("The port \"{p}\" is not a number between 1 and 65535.")
            } else {
                format!("A porta \"{p}\" não é um número entre 1 e 65535.")
            },
            pick(lang, "Fix or remove the port (\":8443\").", "Corrija ou remova a porta (\":8443\")."),
        ),
        InvalidPath => (
            pick(lang, "The path after the host has spaces, accents, \"..\", \"%\" or backslashes.", "O caminho depois do host tem espaços, acentos, \"..\", \"%\" ou barras invertidas.").into(),
            pick(lang, "Usually no path is needed: keep only https://host[:port].", "Normalmente nenhum caminho é necessário: mantenha apenas https://host[:porta]."),
        ),
    };
    Message::new(title, cause, fix)
}

pub(crate) fn config_error_message(e: &ConfigError, lang: Lang) -> Message {
    match e {
        ConfigError::Server(s) => server_url_error_message(s, lang),
        ConfigError::MissingClientId => Message::new(
            pick(lang, "Client ID missing", "Client ID ausente"),
            pick(
                lang,
                "No A2A client ID is configured.",
                "Nenhum Client ID do A2A foi configurado.",
            ),
            pick(
                lang,
                "Copy the client ID of the A2A application (A2A > Applications) into the options.",
                "Copie o Client ID da aplicação A2A (A2A > Aplicações) para as opções.",
            ),
        ),
        ConfigError::MissingClientSecret => Message::new(
            pick(lang, "Client secret missing", "Client Secret ausente"),
            pick(
                lang,
                "No A2A client secret is configured.",
                "Nenhum Client Secret do A2A foi configurado.",
            ),
            pick(
                lang,
                "Copy the client secret of the A2A application into the options.",
                "Copie o Client Secret da aplicação A2A para as opções.",
            ),
        ),
        ConfigError::BadTimeout(ms) => Message::new(
            pick(lang, "Invalid timeout", "Tempo limite inválido"),
            match lang {
                Lang::En => format!("The timeout of {ms} ms is outside 1 000 – 300 000 ms."),
                Lang::PtBr => format!("O tempo limite de {ms} ms está fora de 1 000 – 300 000 ms."),
            },
            pick(
                lang,
                "Use a timeout between 1 and 300 seconds (15 s is a good default).",
                "Use um tempo limite entre 1 e 300 segundos (15 s é um bom padrão).",
            ),
        ),
    }
}
