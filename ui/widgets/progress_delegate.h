#pragma once
/** Paints a progress bar in a table cell from an integer role (0..100, or -1 for busy). */
#include <QStyledItemDelegate>

namespace sluice::ui {

class ProgressDelegate : public QStyledItemDelegate {
  Q_OBJECT
 public:
  ProgressDelegate(int role, QObject* parent = nullptr) : QStyledItemDelegate(parent), role_(role) {}
  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;

 private:
  int role_;
};

}  // namespace sluice::ui
