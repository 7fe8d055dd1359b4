#include "ui/widgets/headers_editor.h"

#include <QHeaderView>
#include <QSet>

namespace sluice::ui {

HeadersEditor::HeadersEditor(QWidget* parent) : QTableWidget(0, 2, parent) {
  setHorizontalHeaderLabels({tr("Header"), tr("Value")});
  horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
  horizontalHeader()->setStretchLastSection(true);
  horizontalHeader()->resizeSection(0, 200);
  verticalHeader()->setVisible(false);
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setToolTip(tr("Unchecked headers are kept here but not sent. Host and framing headers are added by the engine."));
}

QList<HeaderRow> HeadersEditor::headerRows() const {
  QList<HeaderRow> out;
  for (int r = 0; r < rowCount(); ++r) {
    auto* n = item(r, 0);
    auto* v = item(r, 1);
    if (!n || n->text().trimmed().isEmpty()) continue;
    out.append({n->checkState() == Qt::Checked, n->text().trimmed(), v ? v->text() : QString()});
  }
  return out;
}

void HeadersEditor::setHeaderRows(const QList<HeaderRow>& rows) {
  setRowCount(0);
  for (const auto& h : rows) addHeaderRow(h);
}

void HeadersEditor::addHeaderRow(const HeaderRow& row) {
  int r = rowCount();
  insertRow(r);
  auto* n = new QTableWidgetItem(row.name);
  n->setFlags(n->flags() | Qt::ItemIsUserCheckable);
  n->setCheckState(row.enabled ? Qt::Checked : Qt::Unchecked);
  setItem(r, 0, n);
  setItem(r, 1, new QTableWidgetItem(row.value));
}

void HeadersEditor::removeSelectedRows() {
  QSet<int> rows;
  for (auto* it : selectedItems()) rows.insert(it->row());
  QList<int> sorted(rows.begin(), rows.end());
  std::sort(sorted.rbegin(), sorted.rend());
  for (int r : sorted) removeRow(r);
}

}  // namespace sluice::ui
