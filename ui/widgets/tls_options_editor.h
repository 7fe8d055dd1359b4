#pragma once
/** The TLS options of a request (curl's names): verification, trust, identity, versions, ciphers. */
#include <QWidget>

#include "ui/requests/request_spec.h"

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace sluice::ui {

/**
 * Edits a TlsOptions. Files and folders get a browse button; versions are combos of
 * "default", "1.2" and "1.3". changed() follows every edit (the composer's warning
 * banner listens to it).
 */
class TlsOptionsEditor : public QWidget {
  Q_OBJECT
 public:
  explicit TlsOptionsEditor(QWidget* parent = nullptr);

  TlsOptions options() const;
  void setOptions(const TlsOptions& o);

 signals:
  void changed();

 private:
  QLineEdit* pathEdit(const char* name, const QString& placeholder, bool folder, QLayout*& row);

  QCheckBox* verify_;
  QLineEdit* caFile_;
  QLineEdit* caPath_;
  QLineEdit* cert_;
  QLineEdit* key_;
  QComboBox* min_;
  QComboBox* max_;
  QLineEdit* ciphers_;
  QLineEdit* tls13Ciphers_;
};

}  // namespace sluice::ui
