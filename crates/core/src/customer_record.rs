//! The back-office view of one customer (wire.md §3.8 `Customer`), shared by the store
//! that reads and writes it and the façade that spells it, and the one rule of how a
//! CustomerAdd / CustomerUpdate changes it: absent fields stay as they are, and
//! entering contact data registers the customer unless `Registered` says otherwise
//! (rules ACT-6).

use time::OffsetDateTime;

use crate::ids::CustomerId;
use crate::pp4_post::ContactData;
use crate::refusal::Refusal;

/// One customer as XmlCustomerService answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    /// `CustomerID`.
    pub customer_id: CustomerId,
    /// CompanyName … Email.
    pub contact: ContactData,
    /// `Registered` (rules ACT-6).
    pub registered: bool,
    /// `EnteredDate`: when the customer was created.
    pub entered_date: OffsetDateTime,
}

/// The `Customer` element of a CustomerAdd / CustomerUpdate: `None` = absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerChanges {
    /// CompanyName.
    pub company_name: Option<String>,
    /// FirstName.
    pub first_name: Option<String>,
    /// LastName.
    pub last_name: Option<String>,
    /// Address1.
    pub address1: Option<String>,
    /// Address2.
    pub address2: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State.
    pub state: Option<String>,
    /// PostalCode.
    pub postal_code: Option<String>,
    /// Country.
    pub country: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Fax.
    pub fax: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Registered.
    pub registered: Option<bool>,
}

impl CustomerChanges {
    /// Applies the changes to `contact` / `registered`: every present field replaces
    /// the stored one, absent ones stay. ACT-6: a customer is registered once contact
    /// data is entered, so a non-empty contact field registers it unless `Registered`
    /// is given. The result is checked like posted contact data (length, NUL: E-PARAM).
    pub fn apply(
        self,
        mut contact: ContactData,
        registered: bool,
    ) -> Result<(ContactData, bool), Refusal> {
        let entered = [
            &self.company_name,
            &self.first_name,
            &self.last_name,
            &self.address1,
            &self.address2,
            &self.city,
            &self.state,
            &self.postal_code,
            &self.country,
            &self.phone,
            &self.fax,
            &self.email,
        ]
        .iter()
        .any(|f| f.as_deref().is_some_and(|v| !v.is_empty()));
        let pairs = [
            (self.company_name, &mut contact.company_name),
            (self.first_name, &mut contact.first_name),
            (self.last_name, &mut contact.last_name),
            (self.address1, &mut contact.address1),
            (self.address2, &mut contact.address2),
            (self.city, &mut contact.city),
            (self.state, &mut contact.state),
            (self.postal_code, &mut contact.postal_code),
            (self.country, &mut contact.country),
            (self.phone, &mut contact.phone),
            (self.fax, &mut contact.fax),
            (self.email, &mut contact.email),
        ];
        for (new, slot) in pairs {
            if let Some(value) = new {
                *slot = value;
            }
        }
        let registered = self.registered.unwrap_or(registered || entered);
        Ok((contact.validate()?, registered))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored() -> ContactData {
        ContactData {
            company_name: "Acme".into(),
            email: "a@example.com".into(),
            ..ContactData::default()
        }
    }

    #[test]
    fn absent_fields_stay_and_present_ones_replace() {
        let changes = CustomerChanges {
            city: Some("Oslo".into()),
            company_name: Some(String::new()),
            ..CustomerChanges::default()
        };
        let (contact, _) = changes.apply(stored(), true).expect("valid");
        assert_eq!(contact.city, "Oslo");
        assert_eq!(contact.company_name, "", "present and empty clears");
        assert_eq!(contact.email, "a@example.com", "absent stays");
    }

    #[test]
    fn act_6_entering_contact_data_registers_unless_registered_is_given() {
        let city = || CustomerChanges {
            city: Some("Oslo".into()),
            ..CustomerChanges::default()
        };
        assert!(city().apply(ContactData::default(), false).expect("ok").1);
        let explicit = CustomerChanges {
            registered: Some(false),
            ..city()
        };
        assert!(!explicit.apply(ContactData::default(), true).expect("ok").1);
        let nothing = CustomerChanges::default();
        assert!(!nothing.apply(ContactData::default(), false).expect("ok").1);
        assert!(
            CustomerChanges::default()
                .apply(stored(), true)
                .expect("ok")
                .1
        );
    }

    #[test]
    fn over_long_or_nul_fields_are_e_param() {
        let long = CustomerChanges {
            email: Some("x".repeat(256)),
            ..CustomerChanges::default()
        };
        assert_eq!(long.apply(stored(), true), Err(Refusal::Param));
        let nul = CustomerChanges {
            fax: Some("1\u{0}2".into()),
            ..CustomerChanges::default()
        };
        assert_eq!(nul.apply(stored(), true), Err(Refusal::Param));
    }
}
