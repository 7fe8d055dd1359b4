#include "ui/models/workspace_session.h"

#include <QDir>
#include <QFileInfo>

#include "engine/http/message.h"
#include "engine/workspace/resolve.h"

namespace sluice::ui {

namespace {
constexpr const char* kDisabledMark = "# (disabled) ";
}

WorkspaceSession::WorkspaceSession(QObject* parent) : QObject(parent) {}

QString WorkspaceSession::open(const QString& folder) {
  QFileInfo fi(folder);
  if (!fi.isDir()) return tr("%1 is not a folder").arg(folder);
  folder_ = fi.absoluteFilePath();
  QString err = reloadEnvironments();
  emit opened(folder_);
  return err;
}

QString WorkspaceSession::reloadEnvironments() {
  auto envs = workspace::Environments::load(folder_.toStdString());
  if (!envs) {
    environments_ = {};
    return QString::fromStdString(envs.error().message);
  }
  environments_ = std::move(*envs);
  if (!environment_.isEmpty() && !environments_.has(environment_.toStdString())) environment_.clear();
  return {};
}

QStringList WorkspaceSession::environmentNames() const {
  QStringList out;
  for (const auto& n : environments_.names()) out << QString::fromStdString(n);
  return out;
}

void WorkspaceSession::setEnvironment(const QString& name) {
  if (name == environment_) return;
  environment_ = name;
  emit environmentChanged(name);
}

sluice::Result<workspace::VariableSet> WorkspaceSession::variables(const RequestSource& source) const {
  workspace::ResolveContext ctx;
  ctx.environments = &environments_;
  ctx.environment = environment_.toStdString();
  workspace::HttpFile file;
  size_t block = 0;
  if (source.valid()) {
    auto f = workspace::loadHttpFile(source.file.toStdString());
    if (f) file = std::move(*f), block = static_cast<size_t>(source.block);
  }
  return workspace::variablesFor(file, block, ctx);
}

QString WorkspaceSession::resolve(RequestSpec& spec, const RequestSource& source) const {
  auto vars = variables(source);
  if (!vars) return QString::fromStdString(vars.error().message);
  RequestSpec out = spec;
  auto sub = [&](QString& text, const std::string& where) -> QString {
    auto r = workspace::substitute(text.toStdString(), *vars, where);
    if (!r) return QString::fromStdString(r.error().message);
    text = QString::fromStdString(*r);
    return {};
  };
  if (auto e = sub(out.url, "the URL"); !e.isEmpty()) return e;
  for (auto& h : out.headers)
    if (h.enabled)
      if (auto e = sub(h.value, "header " + h.name.toStdString()); !e.isEmpty()) return e;
  if (out.bodyKind == RequestSpec::BodyKind::kText)
    if (auto e = sub(out.bodyText, "the body"); !e.isEmpty()) return e;
  if (out.bodyKind == RequestSpec::BodyKind::kFile) {
    if (auto e = sub(out.bodyFile, "the body file"); !e.isEmpty()) return e;
    if (QFileInfo(out.bodyFile).isRelative() && source.valid())
      out.bodyFile = QFileInfo(source.file).absoluteDir().absoluteFilePath(out.bodyFile);
  }
  spec = std::move(out);
  return {};
}

std::optional<QString> WorkspaceSession::hoverValue(const QString& name, const RequestSource& source) const {
  if (name.startsWith(QLatin1Char('$'))) return tr("(dynamic: a new value on every send)");
  auto vars = variables(source);
  if (!vars) return std::nullopt;
  const auto* v = vars->find(name.toStdString());
  if (!v) return std::nullopt;
  if (v->secret) return tr("•••••• (private, %1)").arg(QString::fromLatin1(workspace::variableSourceName(v->source)));
  auto r = workspace::substitute(v->value, *vars, "{{" + name.toStdString() + "}}");
  QString value = r ? QString::fromStdString(*r) : QString::fromStdString(r.error().message);
  return tr("%1 (%2)").arg(value, QString::fromLatin1(workspace::variableSourceName(v->source)));
}

RequestSpec WorkspaceSession::specFromHttp(const workspace::HttpRequest& r) {
  RequestSpec s;
  s.method = QString::fromStdString(r.method);
  s.url = QString::fromStdString(r.fullUrl());
  for (const auto& h : r.headers) {
    if (!h.comment) {
      s.headers.append({true, QString::fromStdString(h.name), QString::fromStdString(h.value)});
    } else if (h.raw.starts_with(kDisabledMark)) {
      std::string_view rest = std::string_view(h.raw).substr(std::string_view(kDisabledMark).size());
      auto colon = rest.find(':');
      if (colon != std::string_view::npos)
        s.headers.append({false, QString::fromStdString(std::string(rest.substr(0, colon))),
                          QString::fromStdString(std::string(http::trimOws(rest.substr(colon + 1))))});
    }
  }
  if (auto file = r.bodyFile()) {
    s.bodyKind = RequestSpec::BodyKind::kFile;
    s.bodyFile = QString::fromStdString(*file);
  } else if (auto text = r.bodyText(); !text.empty()) {
    s.bodyKind = RequestSpec::BodyKind::kText;
    s.bodyText = QString::fromStdString(text);
  }
  return s;
}

void WorkspaceSession::applySpecToHttp(const RequestSpec& spec, workspace::HttpRequest& r) {
  r.hasRequest = true;
  r.method = spec.method.toStdString();
  r.methodWritten = r.methodWritten || r.method != "GET";
  r.url = spec.url.toStdString();
  r.urlContinuation.clear();
  std::vector<workspace::HeaderLine> headers;
  for (const auto& h : r.headers)  // comments that are not disabled headers stay
    if (h.comment && !h.raw.starts_with(kDisabledMark)) headers.push_back(h);
  for (const auto& h : spec.headers) {
    if (h.name.isEmpty()) continue;
    if (h.enabled) headers.push_back({.name = h.name.toStdString(), .value = h.value.toStdString(), .comment = false, .raw = {}});
    else headers.push_back({.name = {}, .value = {}, .comment = true, .raw = kDisabledMark + h.name.toStdString() + ": " + h.value.toStdString()});
  }
  if (!spec.contentType.isEmpty() && spec.bodyKind == RequestSpec::BodyKind::kText) {
    bool has = false;
    for (const auto& h : headers) has |= !h.comment && http::iequals(h.name, "Content-Type");
    if (!has) headers.push_back({.name = "Content-Type", .value = spec.contentType.toStdString(), .comment = false, .raw = {}});
  }
  r.headers = std::move(headers);
  switch (spec.bodyKind) {
    case RequestSpec::BodyKind::kNone: r.body.clear(); break;
    case RequestSpec::BodyKind::kText: r.body = spec.bodyText.toStdString(); break;
    case RequestSpec::BodyKind::kFile: r.body = "< " + spec.bodyFile.toStdString(); break;
    case RequestSpec::BodyKind::kForm: break;  // refused before saving (RequestTabs::saveDoc): the body stays as it was
  }
  if (!r.body.empty()) r.blankAfterHeaders = true;
}

}  // namespace sluice::ui
