#pragma once
/**
 * The open workspace: a folder of .http files, its environments and the chosen one.
 * Converts between the composer's RequestSpec and a .http request, resolves the
 * variables of a spec before it is sent (an unresolved one is a worded error), and
 * answers "what is {{name}}?" for hovering (private values masked).
 */
#include <QObject>
#include <QString>
#include <QStringList>
#include <optional>

#include "engine/workspace/http_file.h"
#include "engine/workspace/variables.h"
#include "ui/requests/request_spec.h"

namespace sluice::ui {

/** Where a tab's request lives: a .http file and the index of its block; empty for an untitled tab. */
struct RequestSource {
  QString file;
  int block = -1;
  bool valid() const { return !file.isEmpty() && block >= 0; }
  bool operator==(const RequestSource&) const = default;
};

class WorkspaceSession : public QObject {
  Q_OBJECT
 public:
  explicit WorkspaceSession(QObject* parent = nullptr);

  /** Opens folder as the workspace (reads its environment files). Returns an error in words, or empty. */
  QString open(const QString& folder);
  const QString& folder() const { return folder_; }
  /** Re-reads the environment files (after an edit outside sluice). */
  QString reloadEnvironments();
  QStringList environmentNames() const;
  const QString& environment() const { return environment_; }
  void setEnvironment(const QString& name);

  /**
   * Substitutes every {{variable}} in spec (URL, header values, text body, body file path)
   * with the variables seen by source. Returns an error naming the first unresolved
   * variable; spec is left unchanged then.
   */
  QString resolve(RequestSpec& spec, const RequestSource& source) const;
  /** The value of name for hovering: resolved, private values masked; nullopt when unresolved. */
  std::optional<QString> hoverValue(const QString& name, const RequestSource& source) const;

  /** A .http request as a composer spec (disabled headers are "# (disabled) Name: value" comments). */
  static RequestSpec specFromHttp(const workspace::HttpRequest& r);
  /** Writes spec into r (keeping its name, preamble, scripts and other comments). */
  static void applySpecToHttp(const RequestSpec& spec, workspace::HttpRequest& r);

 signals:
  void environmentChanged(const QString& name);
  void opened(const QString& folder);

 private:
  sluice::Result<workspace::VariableSet> variables(const RequestSource& source) const;

  QString folder_;
  QString environment_;
  workspace::Environments environments_;
};

}  // namespace sluice::ui
