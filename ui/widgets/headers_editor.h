#pragma once
/** The request's header table: an enable checkbox, a name and a value per row. */
#include <QList>
#include <QTableWidget>

#include "ui/requests/request_spec.h"

namespace sluice::ui {

class HeadersEditor : public QTableWidget {
  Q_OBJECT
 public:
  explicit HeadersEditor(QWidget* parent = nullptr);
  QList<HeaderRow> headerRows() const;
  void setHeaderRows(const QList<HeaderRow>& rows);
  void addHeaderRow(const HeaderRow& row = {true, {}, {}});
  void removeSelectedRows();
};

}  // namespace sluice::ui
